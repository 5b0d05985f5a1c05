"use strict";
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __esm = (fn, res, err) => function __init() {
  if (err) throw err[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err = [e], e;
  }
};
var __commonJS = (cb, mod) => function __require() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// packages/spa-client/src/errors.ts
function toClientError(error) {
  if (error instanceof ClientError) return error;
  const code = error?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case "INVALID_KEY":
    case "WEAK_KEY":
      return new ClientError(CLIENT_ERROR_CODES.keyInvalid, message, { cause: error });
    case "PROFILE_INVALID":
      return new ClientError(CLIENT_ERROR_CODES.configInvalid, message, { cause: error });
    case "INVALID_REQUEST":
    case "REQUEST_TOO_LARGE":
      return new ClientError(CLIENT_ERROR_CODES.usage, message, { cause: error });
    default:
      return new ClientError(CLIENT_ERROR_CODES.internal, `internal error: ${message}`, { cause: error });
  }
}
var CLIENT_ERROR_CODES, EXIT_CODES, ClientError, usageError;
var init_errors = __esm({
  "packages/spa-client/src/errors.ts"() {
    "use strict";
    CLIENT_ERROR_CODES = {
      usage: "USAGE",
      keyInvalid: "KEY_INVALID",
      configInvalid: "CONFIG_INVALID",
      cannotCreate: "CANNOT_CREATE",
      hostUnknown: "HOST_UNKNOWN",
      network: "NETWORK",
      stunFailed: "STUN_FAILED",
      discoveryFailed: "DISCOVERY_FAILED",
      discoveryConflict: "DISCOVERY_CONFLICT",
      discoveryUnconfigured: "DISCOVERY_UNCONFIGURED",
      waitTimeout: "WAIT_TIMEOUT",
      connectionLost: "CONNECTION_LOST",
      internal: "INTERNAL"
    };
    EXIT_CODES = {
      USAGE: 64,
      // EX_USAGE
      KEY_INVALID: 65,
      // EX_DATAERR: private or server key missing, malformed or readable by others
      HOST_UNKNOWN: 68,
      // EX_NOHOST
      NETWORK: 69,
      // EX_UNAVAILABLE
      STUN_FAILED: 69,
      DISCOVERY_FAILED: 69,
      // an HTTPS discovery source failed or gave no usable address
      INTERNAL: 70,
      // EX_SOFTWARE
      CANNOT_CREATE: 73,
      // EX_CANTCREAT
      CONNECTION_LOST: 74,
      // EX_IOERR
      WAIT_TIMEOUT: 75,
      // EX_TEMPFAIL: try again later
      DISCOVERY_CONFLICT: 76,
      // EX_PROTOCOL: discovery sources named different addresses (one may lie)
      CONFIG_INVALID: 78,
      // EX_CONFIG
      DISCOVERY_UNCONFIGURED: 78
      // the default needs a public address and no discovery is configured
    };
    ClientError = class extends Error {
      code;
      /** With --json, merged into the error object: what was done before the failure (e.g. packets sent). */
      details;
      constructor(code, message, options) {
        super(message, options);
        this.name = "ClientError";
        this.code = code;
        this.details = options?.details;
      }
      get exitCode() {
        return EXIT_CODES[this.code];
      }
    };
    usageError = (message) => new ClientError(CLIENT_ERROR_CODES.usage, message);
  }
});

// node_modules/.pnpm/ipaddr.js@2.5.0/node_modules/ipaddr.js/lib/ipaddr.js
var require_ipaddr = __commonJS({
  "node_modules/.pnpm/ipaddr.js@2.5.0/node_modules/ipaddr.js/lib/ipaddr.js"(exports2, module2) {
    (function(root) {
      "use strict";
      const ipv4Part = "(0?\\d+|0x[a-f0-9]+)";
      const ipv4Regexes = {
        fourOctet: new RegExp(`^${ipv4Part}\\.${ipv4Part}\\.${ipv4Part}\\.${ipv4Part}$`, "i"),
        threeOctet: new RegExp(`^${ipv4Part}\\.${ipv4Part}\\.${ipv4Part}$`, "i"),
        twoOctet: new RegExp(`^${ipv4Part}\\.${ipv4Part}$`, "i"),
        longValue: new RegExp(`^${ipv4Part}$`, "i")
      };
      const octalRegex = new RegExp(`^0[0-7]+$`, "i");
      const hexRegex = new RegExp(`^0x[a-f0-9]+$`, "i");
      const zoneIndex = "%[0-9a-z]{1,}";
      const ipv6Part = "(?:[0-9a-f]+::?)+";
      const ipv6Regexes = {
        zoneIndex: new RegExp(zoneIndex, "i"),
        "native": new RegExp(`^(::)?(${ipv6Part})?([0-9a-f]+)?(::)?(${zoneIndex})?$`, "i"),
        deprecatedTransitional: new RegExp(`^(?:::)(${ipv4Part}\\.${ipv4Part}\\.${ipv4Part}\\.${ipv4Part}(${zoneIndex})?)$`, "i"),
        transitional: new RegExp(`^((?:${ipv6Part})|(?:::)(?:${ipv6Part})?)${ipv4Part}\\.${ipv4Part}\\.${ipv4Part}\\.${ipv4Part}(${zoneIndex})?$`, "i")
      };
      function expandIPv6(string3, parts) {
        if (string3.indexOf("::") !== string3.lastIndexOf("::")) {
          return null;
        }
        let colonCount = 0;
        let lastColon = -1;
        let zoneId = (string3.match(ipv6Regexes.zoneIndex) || [])[0];
        let replacement, replacementCount;
        if (zoneId) {
          zoneId = zoneId.substring(1);
          string3 = string3.replace(/%.+$/, "");
        }
        while ((lastColon = string3.indexOf(":", lastColon + 1)) >= 0) {
          colonCount++;
        }
        if (string3.substr(0, 2) === "::") {
          colonCount--;
        }
        if (string3.substr(-2, 2) === "::") {
          colonCount--;
        }
        if (colonCount >= parts) {
          return null;
        }
        replacementCount = parts - colonCount;
        replacement = ":";
        while (replacementCount--) {
          replacement += "0:";
        }
        string3 = string3.replace("::", replacement);
        if (string3[0] === ":") {
          string3 = string3.slice(1);
        }
        if (string3[string3.length - 1] === ":") {
          string3 = string3.slice(0, -1);
        }
        parts = (function() {
          const ref = string3.split(":");
          const results = [];
          for (let i = 0; i < ref.length; i++) {
            results.push(ref[i].length > 4 ? NaN : parseInt(ref[i], 16));
          }
          return results;
        })();
        return {
          parts,
          zoneId
        };
      }
      function matchCIDR(first, second, partSize, cidrBits) {
        if (first.length !== second.length) {
          throw new Error("ipaddr: cannot match CIDR for objects with different lengths");
        }
        let part = 0;
        let shift;
        while (cidrBits > 0) {
          shift = partSize - cidrBits;
          if (shift < 0) {
            shift = 0;
          }
          if (first[part] >> shift !== second[part] >> shift) {
            return false;
          }
          cidrBits -= partSize;
          part += 1;
        }
        return true;
      }
      function parseIntAuto(string3) {
        if (hexRegex.test(string3)) {
          return parseInt(string3, 16);
        }
        if (string3[0] === "0" && !isNaN(parseInt(string3[1], 10))) {
          if (octalRegex.test(string3)) {
            return parseInt(string3, 8);
          }
          throw new Error(`ipaddr: cannot parse ${string3} as octal`);
        }
        return parseInt(string3, 10);
      }
      function padPart(part, length) {
        while (part.length < length) {
          part = `0${part}`;
        }
        return part;
      }
      const ipaddr2 = {};
      ipaddr2.IPv4 = (function() {
        function IPv4(octets) {
          if (octets.length !== 4) {
            throw new Error("ipaddr: ipv4 octet count should be 4");
          }
          let i, octet;
          for (i = 0; i < octets.length; i++) {
            octet = octets[i];
            if (!(0 <= octet && octet <= 255)) {
              throw new Error("ipaddr: ipv4 octet should fit in 8 bits");
            }
          }
          this.octets = octets;
        }
        IPv4.prototype.SpecialRanges = {
          unspecified: [[new IPv4([0, 0, 0, 0]), 8]],
          broadcast: [[new IPv4([255, 255, 255, 255]), 32]],
          // RFC3171
          multicast: [[new IPv4([224, 0, 0, 0]), 4]],
          // RFC3927
          linkLocal: [[new IPv4([169, 254, 0, 0]), 16]],
          // RFC5735
          loopback: [[new IPv4([127, 0, 0, 0]), 8]],
          // RFC6598
          carrierGradeNat: [[new IPv4([100, 64, 0, 0]), 10]],
          // RFC1918
          "private": [
            [new IPv4([10, 0, 0, 0]), 8],
            [new IPv4([172, 16, 0, 0]), 12],
            [new IPv4([192, 168, 0, 0]), 16]
          ],
          // Reserved and testing-only ranges; RFCs 5735, 5737, 2544, 1700
          reserved: [
            [new IPv4([192, 0, 0, 0]), 24],
            [new IPv4([192, 0, 2, 0]), 24],
            [new IPv4([192, 88, 99, 0]), 24],
            [new IPv4([198, 18, 0, 0]), 15],
            [new IPv4([198, 51, 100, 0]), 24],
            [new IPv4([203, 0, 113, 0]), 24],
            [new IPv4([240, 0, 0, 0]), 4]
          ],
          // RFC7534, RFC7535
          as112: [
            [new IPv4([192, 175, 48, 0]), 24],
            [new IPv4([192, 31, 196, 0]), 24]
          ],
          // RFC7450
          amt: [
            [new IPv4([192, 52, 193, 0]), 24]
          ]
        };
        IPv4.prototype.kind = function() {
          return "ipv4";
        };
        IPv4.prototype.match = function(other, cidrRange) {
          let ref;
          if (cidrRange === void 0) {
            ref = other;
            other = ref[0];
            cidrRange = ref[1];
          }
          if (other.kind() !== "ipv4") {
            throw new Error("ipaddr: cannot match ipv4 address with non-ipv4 one");
          }
          return matchCIDR(this.octets, other.octets, 8, cidrRange);
        };
        IPv4.prototype.prefixLengthFromSubnetMask = function() {
          let cidr = 0;
          let stop = false;
          const zerotable = {
            0: 8,
            128: 7,
            192: 6,
            224: 5,
            240: 4,
            248: 3,
            252: 2,
            254: 1,
            255: 0
          };
          let i, octet, zeros;
          for (i = 3; i >= 0; i -= 1) {
            octet = this.octets[i];
            if (octet in zerotable) {
              zeros = zerotable[octet];
              if (stop && zeros !== 0) {
                return null;
              }
              if (zeros !== 8) {
                stop = true;
              }
              cidr += zeros;
            } else {
              return null;
            }
          }
          return 32 - cidr;
        };
        IPv4.prototype.range = function() {
          return ipaddr2.subnetMatch(this, this.SpecialRanges);
        };
        IPv4.prototype.toByteArray = function() {
          return this.octets.slice(0);
        };
        IPv4.prototype.toIPv4MappedAddress = function() {
          return ipaddr2.IPv6.parse(`::ffff:${this.toString()}`);
        };
        IPv4.prototype.toNormalizedString = function() {
          return this.toString();
        };
        IPv4.prototype.toString = function() {
          return this.octets.join(".");
        };
        return IPv4;
      })();
      ipaddr2.IPv4.broadcastAddressFromCIDR = function(string3) {
        try {
          const cidr = this.parseCIDR(string3);
          const ipInterfaceOctets = cidr[0].toByteArray();
          const subnetMaskOctets = this.subnetMaskFromPrefixLength(cidr[1]).toByteArray();
          const octets = [];
          let i = 0;
          while (i < 4) {
            octets.push(parseInt(ipInterfaceOctets[i], 10) | parseInt(subnetMaskOctets[i], 10) ^ 255);
            i++;
          }
          return new this(octets);
        } catch (e) {
          throw new Error("ipaddr: the address does not have IPv4 CIDR format", { cause: e });
        }
      };
      ipaddr2.IPv4.isIPv4 = function(string3) {
        return this.parser(string3) !== null;
      };
      ipaddr2.IPv4.isValid = function(string3) {
        try {
          new this(this.parser(string3));
          return true;
        } catch {
          return false;
        }
      };
      ipaddr2.IPv4.isValidCIDR = function(string3) {
        try {
          this.parseCIDR(string3);
          return true;
        } catch {
          return false;
        }
      };
      ipaddr2.IPv4.isValidFourPartDecimal = function(string3) {
        if (ipaddr2.IPv4.isValid(string3) && string3.match(/^(0|[1-9]\d*)(\.(0|[1-9]\d*)){3}$/)) {
          return true;
        } else {
          return false;
        }
      };
      ipaddr2.IPv4.isValidCIDRFourPartDecimal = function(string3) {
        const match = string3.match(/^(.+)\/(\d+)$/);
        if (!ipaddr2.IPv4.isValidCIDR(string3) || !match) {
          return false;
        }
        return ipaddr2.IPv4.isValidFourPartDecimal(match[1]);
      };
      ipaddr2.IPv4.networkAddressFromCIDR = function(string3) {
        let cidr, i, ipInterfaceOctets, octets, subnetMaskOctets;
        try {
          cidr = this.parseCIDR(string3);
          ipInterfaceOctets = cidr[0].toByteArray();
          subnetMaskOctets = this.subnetMaskFromPrefixLength(cidr[1]).toByteArray();
          octets = [];
          i = 0;
          while (i < 4) {
            octets.push(parseInt(ipInterfaceOctets[i], 10) & parseInt(subnetMaskOctets[i], 10));
            i++;
          }
          return new this(octets);
        } catch (e) {
          throw new Error("ipaddr: the address does not have IPv4 CIDR format", { cause: e });
        }
      };
      ipaddr2.IPv4.parse = function(string3) {
        const parts = this.parser(string3);
        if (parts === null) {
          throw new Error("ipaddr: string is not formatted like an IPv4 Address");
        }
        return new this(parts);
      };
      ipaddr2.IPv4.parseCIDR = function(string3) {
        let match;
        if (match = string3.match(/^(.+)\/(\d+)$/)) {
          const maskLength = parseInt(match[2]);
          if (maskLength >= 0 && maskLength <= 32) {
            const parsed = [this.parse(match[1]), maskLength];
            Object.defineProperty(parsed, "toString", {
              value: function() {
                return this.join("/");
              }
            });
            return parsed;
          }
        }
        throw new Error("ipaddr: string is not formatted like an IPv4 CIDR range");
      };
      ipaddr2.IPv4.parser = function(string3) {
        let match, part, value;
        if (match = string3.match(ipv4Regexes.fourOctet)) {
          return (function() {
            const ref = match.slice(1, 6);
            const results = [];
            for (let i = 0; i < ref.length; i++) {
              part = ref[i];
              results.push(parseIntAuto(part));
            }
            return results;
          })();
        } else if (match = string3.match(ipv4Regexes.longValue)) {
          value = parseIntAuto(match[1]);
          if (value > 4294967295 || value < 0) {
            throw new Error("ipaddr: address outside defined range");
          }
          return (function() {
            const results = [];
            let shift;
            for (shift = 0; shift <= 24; shift += 8) {
              results.push(value >> shift & 255);
            }
            return results;
          })().reverse();
        } else if (match = string3.match(ipv4Regexes.twoOctet)) {
          return (function() {
            const ref = match.slice(1, 4);
            const results = [];
            value = parseIntAuto(ref[1]);
            if (value > 16777215 || value < 0) {
              throw new Error("ipaddr: address outside defined range");
            }
            results.push(parseIntAuto(ref[0]));
            results.push(value >> 16 & 255);
            results.push(value >> 8 & 255);
            results.push(value & 255);
            return results;
          })();
        } else if (match = string3.match(ipv4Regexes.threeOctet)) {
          return (function() {
            const ref = match.slice(1, 5);
            const results = [];
            value = parseIntAuto(ref[2]);
            if (value > 65535 || value < 0) {
              throw new Error("ipaddr: address outside defined range");
            }
            results.push(parseIntAuto(ref[0]));
            results.push(parseIntAuto(ref[1]));
            results.push(value >> 8 & 255);
            results.push(value & 255);
            return results;
          })();
        } else {
          return null;
        }
      };
      ipaddr2.IPv4.subnetMaskFromPrefixLength = function(prefix) {
        prefix = parseInt(prefix);
        if (Number.isNaN(prefix) || prefix < 0 || prefix > 32) {
          throw new Error("ipaddr: invalid IPv4 prefix length");
        }
        const octets = [0, 0, 0, 0];
        let j = 0;
        const filledOctetCount = Math.floor(prefix / 8);
        while (j < filledOctetCount) {
          octets[j] = 255;
          j++;
        }
        if (filledOctetCount < 4) {
          octets[filledOctetCount] = Math.pow(2, prefix % 8) - 1 << 8 - prefix % 8;
        }
        return new this(octets);
      };
      ipaddr2.IPv6 = (function() {
        function IPv6(parts, zoneId) {
          let i, part;
          if (parts.length === 16) {
            this.parts = [];
            for (i = 0; i <= 14; i += 2) {
              this.parts.push(parts[i] << 8 | parts[i + 1]);
            }
          } else if (parts.length === 8) {
            this.parts = parts;
          } else {
            throw new Error("ipaddr: ipv6 part count should be 8 or 16");
          }
          for (i = 0; i < this.parts.length; i++) {
            part = this.parts[i];
            if (!(0 <= part && part <= 65535)) {
              throw new Error("ipaddr: ipv6 part should fit in 16 bits");
            }
          }
          if (zoneId) {
            this.zoneId = zoneId;
          }
        }
        IPv6.prototype.SpecialRanges = {
          // RFC4291, here and after
          unspecified: [new IPv6([0, 0, 0, 0, 0, 0, 0, 0]), 128],
          linkLocal: [new IPv6([65152, 0, 0, 0, 0, 0, 0, 0]), 10],
          multicast: [new IPv6([65280, 0, 0, 0, 0, 0, 0, 0]), 8],
          loopback: [new IPv6([0, 0, 0, 0, 0, 0, 0, 1]), 128],
          uniqueLocal: [new IPv6([64512, 0, 0, 0, 0, 0, 0, 0]), 7],
          ipv4Mapped: [new IPv6([0, 0, 0, 0, 0, 65535, 0, 0]), 96],
          // RFC3879
          deprecatedSiteLocal: [new IPv6([65216, 0, 0, 0, 0, 0, 0, 0]), 10],
          // RFC6666
          discard: [new IPv6([256, 0, 0, 0, 0, 0, 0, 0]), 64],
          // RFC6145
          rfc6145: [new IPv6([0, 0, 0, 0, 65535, 0, 0, 0]), 96],
          rfc6052: [
            // RFC6052
            [new IPv6([100, 65435, 0, 0, 0, 0, 0, 0]), 96],
            // RFC8215
            [new IPv6([100, 65435, 1, 0, 0, 0, 0, 0]), 48]
          ],
          // RFC3056
          "6to4": [new IPv6([8194, 0, 0, 0, 0, 0, 0, 0]), 16],
          // RFC6052, RFC6146
          teredo: [new IPv6([8193, 0, 0, 0, 0, 0, 0, 0]), 32],
          // RFC5180
          benchmarking: [new IPv6([8193, 2, 0, 0, 0, 0, 0, 0]), 48],
          // RFC7450
          amt: [new IPv6([8193, 3, 0, 0, 0, 0, 0, 0]), 32],
          as112v6: [
            // RFC7535
            [new IPv6([8193, 4, 274, 0, 0, 0, 0, 0]), 48],
            // RFC7534
            [new IPv6([9760, 79, 32768, 0, 0, 0, 0, 0]), 48]
          ],
          // RFC4843
          deprecatedOrchid: [new IPv6([8193, 16, 0, 0, 0, 0, 0, 0]), 28],
          // RFC7343
          orchid2: [new IPv6([8193, 32, 0, 0, 0, 0, 0, 0]), 28],
          // RFC9374
          droneRemoteIdProtocolEntityTags: [new IPv6([8193, 48, 0, 0, 0, 0, 0, 0]), 28],
          // RFC9602
          segmentRouting: [new IPv6([24320, 0, 0, 0, 0, 0, 0, 0]), 16],
          reserved: [
            // RFC3849
            [new IPv6([8193, 0, 0, 0, 0, 0, 0, 0]), 23],
            // RFC2928
            [new IPv6([8193, 3512, 0, 0, 0, 0, 0, 0]), 32],
            // RFC9637
            [new IPv6([16383, 0, 0, 0, 0, 0, 0, 0]), 20]
          ]
        };
        IPv6.prototype.isIPv4MappedAddress = function() {
          return this.range() === "ipv4Mapped";
        };
        IPv6.prototype.kind = function() {
          return "ipv6";
        };
        IPv6.prototype.match = function(other, cidrRange) {
          let ref;
          if (cidrRange === void 0) {
            ref = other;
            other = ref[0];
            cidrRange = ref[1];
          }
          if (other.kind() !== "ipv6") {
            throw new Error("ipaddr: cannot match ipv6 address with non-ipv6 one");
          }
          return matchCIDR(this.parts, other.parts, 16, cidrRange);
        };
        IPv6.prototype.prefixLengthFromSubnetMask = function() {
          let cidr = 0;
          let stop = false;
          const zerotable = {
            0: 16,
            32768: 15,
            49152: 14,
            57344: 13,
            61440: 12,
            63488: 11,
            64512: 10,
            65024: 9,
            65280: 8,
            65408: 7,
            65472: 6,
            65504: 5,
            65520: 4,
            65528: 3,
            65532: 2,
            65534: 1,
            65535: 0
          };
          let part, zeros;
          for (let i = 7; i >= 0; i -= 1) {
            part = this.parts[i];
            if (part in zerotable) {
              zeros = zerotable[part];
              if (stop && zeros !== 0) {
                return null;
              }
              if (zeros !== 16) {
                stop = true;
              }
              cidr += zeros;
            } else {
              return null;
            }
          }
          return 128 - cidr;
        };
        IPv6.prototype.range = function() {
          return ipaddr2.subnetMatch(this, this.SpecialRanges);
        };
        IPv6.prototype.toByteArray = function() {
          let part;
          const bytes2 = [];
          const ref = this.parts;
          for (let i = 0; i < ref.length; i++) {
            part = ref[i];
            bytes2.push(part >> 8);
            bytes2.push(part & 255);
          }
          return bytes2;
        };
        IPv6.prototype.toFixedLengthString = function() {
          const addr = (function() {
            const results = [];
            for (let i = 0; i < this.parts.length; i++) {
              results.push(padPart(this.parts[i].toString(16), 4));
            }
            return results;
          }).call(this).join(":");
          let suffix = "";
          if (this.zoneId) {
            suffix = `%${this.zoneId}`;
          }
          return addr + suffix;
        };
        IPv6.prototype.toIPv4Address = function() {
          if (!this.isIPv4MappedAddress()) {
            throw new Error("ipaddr: trying to convert a generic ipv6 address to ipv4");
          }
          const ref = this.parts.slice(-2);
          const high = ref[0];
          const low = ref[1];
          return new ipaddr2.IPv4([high >> 8, high & 255, low >> 8, low & 255]);
        };
        IPv6.prototype.toNormalizedString = function() {
          const addr = (function() {
            const results = [];
            for (let i = 0; i < this.parts.length; i++) {
              results.push(this.parts[i].toString(16));
            }
            return results;
          }).call(this).join(":");
          let suffix = "";
          if (this.zoneId) {
            suffix = `%${this.zoneId}`;
          }
          return addr + suffix;
        };
        IPv6.prototype.toRFC5952String = function() {
          const regex = /((^|:)(0(:|$)){2,})/g;
          let suffix = "";
          if (this.zoneId) {
            suffix = `%${this.zoneId}`;
          }
          const normalized = this.toNormalizedString();
          const string3 = normalized.slice(0, normalized.length - suffix.length);
          let bestMatchIndex = 0;
          let bestMatchLength = -1;
          let bestMatchGroups = -1;
          let match;
          while (match = regex.exec(string3)) {
            const groups = (match[0].match(/0/g) || []).length;
            if (groups > bestMatchGroups) {
              bestMatchGroups = groups;
              bestMatchIndex = match.index;
              bestMatchLength = match[0].length;
            }
          }
          if (bestMatchLength < 0) {
            return string3 + suffix;
          }
          return `${string3.substring(0, bestMatchIndex)}::${string3.substring(bestMatchIndex + bestMatchLength)}${suffix}`;
        };
        IPv6.prototype.toString = function() {
          return this.toRFC5952String();
        };
        return IPv6;
      })();
      ipaddr2.IPv6.broadcastAddressFromCIDR = function(string3) {
        try {
          const cidr = this.parseCIDR(string3);
          const ipInterfaceOctets = cidr[0].toByteArray();
          const subnetMaskOctets = this.subnetMaskFromPrefixLength(cidr[1]).toByteArray();
          const octets = [];
          let i = 0;
          while (i < 16) {
            octets.push(parseInt(ipInterfaceOctets[i], 10) | parseInt(subnetMaskOctets[i], 10) ^ 255);
            i++;
          }
          return new this(octets);
        } catch (e) {
          throw new Error("ipaddr: the address does not have IPv6 CIDR format", { cause: e });
        }
      };
      ipaddr2.IPv6.isIPv6 = function(string3) {
        return this.parser(string3) !== null;
      };
      ipaddr2.IPv6.isValid = function(string3) {
        if (typeof string3 === "string" && string3.indexOf(":") === -1) {
          return false;
        }
        try {
          const addr = this.parser(string3);
          new this(addr.parts, addr.zoneId);
          return true;
        } catch {
          return false;
        }
      };
      ipaddr2.IPv6.isValidCIDR = function(string3) {
        if (typeof string3 === "string" && string3.indexOf(":") === -1) {
          return false;
        }
        try {
          this.parseCIDR(string3);
          return true;
        } catch {
          return false;
        }
      };
      ipaddr2.IPv6.networkAddressFromCIDR = function(string3) {
        let cidr, i, ipInterfaceOctets, octets, subnetMaskOctets;
        try {
          cidr = this.parseCIDR(string3);
          ipInterfaceOctets = cidr[0].toByteArray();
          subnetMaskOctets = this.subnetMaskFromPrefixLength(cidr[1]).toByteArray();
          octets = [];
          i = 0;
          while (i < 16) {
            octets.push(parseInt(ipInterfaceOctets[i], 10) & parseInt(subnetMaskOctets[i], 10));
            i++;
          }
          return new this(octets);
        } catch (e) {
          throw new Error("ipaddr: the address does not have IPv6 CIDR format", { cause: e });
        }
      };
      ipaddr2.IPv6.parse = function(string3) {
        const addr = this.parser(string3);
        if (addr === null) {
          throw new Error("ipaddr: string is not formatted like an IPv6 Address");
        }
        return new this(addr.parts, addr.zoneId);
      };
      ipaddr2.IPv6.parseCIDR = function(string3) {
        let maskLength, match, parsed;
        if (match = string3.match(/^(.+)\/(\d+)$/)) {
          maskLength = parseInt(match[2]);
          if (maskLength >= 0 && maskLength <= 128) {
            parsed = [this.parse(match[1]), maskLength];
            Object.defineProperty(parsed, "toString", {
              value: function() {
                return this.join("/");
              }
            });
            return parsed;
          }
        }
        throw new Error("ipaddr: string is not formatted like an IPv6 CIDR range");
      };
      ipaddr2.IPv6.parser = function(string3) {
        let addr, i, match, octet, octets, zoneId;
        if (match = string3.match(ipv6Regexes.deprecatedTransitional)) {
          return this.parser(`::ffff:${match[1]}`);
        }
        if (ipv6Regexes.native.test(string3)) {
          return expandIPv6(string3, 8);
        }
        if (match = string3.match(ipv6Regexes.transitional)) {
          zoneId = match[6] || "";
          addr = match[1];
          if (!match[1].endsWith("::")) {
            addr = addr.slice(0, -1);
          }
          addr = expandIPv6(addr + zoneId, 6);
          if (addr && addr.parts) {
            octets = [
              parseInt(match[2]),
              parseInt(match[3]),
              parseInt(match[4]),
              parseInt(match[5])
            ];
            for (i = 0; i < octets.length; i++) {
              octet = octets[i];
              if (!(0 <= octet && octet <= 255)) {
                return null;
              }
            }
            addr.parts.push(octets[0] << 8 | octets[1]);
            addr.parts.push(octets[2] << 8 | octets[3]);
            return {
              parts: addr.parts,
              zoneId: addr.zoneId
            };
          }
        }
        return null;
      };
      ipaddr2.IPv6.subnetMaskFromPrefixLength = function(prefix) {
        prefix = parseInt(prefix);
        if (Number.isNaN(prefix) || prefix < 0 || prefix > 128) {
          throw new Error("ipaddr: invalid IPv6 prefix length");
        }
        const octets = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        let j = 0;
        const filledOctetCount = Math.floor(prefix / 8);
        while (j < filledOctetCount) {
          octets[j] = 255;
          j++;
        }
        if (filledOctetCount < 16) {
          octets[filledOctetCount] = Math.pow(2, prefix % 8) - 1 << 8 - prefix % 8;
        }
        return new this(octets);
      };
      ipaddr2.fromByteArray = function(bytes2) {
        const length = bytes2.length;
        if (length === 4) {
          return new ipaddr2.IPv4(bytes2);
        } else if (length === 16) {
          return new ipaddr2.IPv6(bytes2);
        } else {
          throw new Error("ipaddr: the binary input is neither an IPv6 nor IPv4 address");
        }
      };
      ipaddr2.isValid = function(string3) {
        return ipaddr2.IPv6.isValid(string3) || ipaddr2.IPv4.isValid(string3);
      };
      ipaddr2.isValidCIDR = function(string3) {
        return ipaddr2.IPv6.isValidCIDR(string3) || ipaddr2.IPv4.isValidCIDR(string3);
      };
      ipaddr2.parse = function(string3) {
        if (ipaddr2.IPv6.isValid(string3)) {
          return ipaddr2.IPv6.parse(string3);
        } else if (ipaddr2.IPv4.isValid(string3)) {
          return ipaddr2.IPv4.parse(string3);
        } else {
          throw new Error("ipaddr: the address has neither IPv6 nor IPv4 format");
        }
      };
      ipaddr2.parseCIDR = function(string3) {
        try {
          return ipaddr2.IPv6.parseCIDR(string3);
        } catch {
          try {
            return ipaddr2.IPv4.parseCIDR(string3);
          } catch (e) {
            throw new Error("ipaddr: the address has neither IPv6 nor IPv4 CIDR format", { cause: e });
          }
        }
      };
      ipaddr2.process = function(string3) {
        const addr = this.parse(string3);
        if (addr.kind() === "ipv6" && addr.isIPv4MappedAddress()) {
          return addr.toIPv4Address();
        } else {
          return addr;
        }
      };
      ipaddr2.subnetMatch = function(address, rangeList, defaultName) {
        let i, rangeName, rangeSubnets, subnet;
        if (defaultName === void 0 || defaultName === null) {
          defaultName = "unicast";
        }
        for (rangeName in rangeList) {
          if (Object.prototype.hasOwnProperty.call(rangeList, rangeName)) {
            rangeSubnets = rangeList[rangeName];
            if (rangeSubnets[0] && !(rangeSubnets[0] instanceof Array)) {
              rangeSubnets = [rangeSubnets];
            }
            for (i = 0; i < rangeSubnets.length; i++) {
              subnet = rangeSubnets[i];
              if (address.kind() === subnet[0].kind() && address.match.apply(address, subnet)) {
                return rangeName;
              }
            }
          }
        }
        return defaultName;
      };
      if (typeof module2 !== "undefined" && module2.exports) {
        module2.exports = ipaddr2;
      } else {
        root.ipaddr = ipaddr2;
      }
    })(exports2);
  }
});

// packages/spa-protocol/src/address.ts
function parseAddress(text2) {
  if (typeof text2 !== "string" || text2.length > 45) return void 0;
  try {
    if (import_ipaddr.default.IPv4.isValidFourPartDecimal(text2)) return fromParsed(import_ipaddr.default.IPv4.parse(text2));
    if (!text2.includes("%") && import_ipaddr.default.IPv6.isValid(text2)) return fromParsed(import_ipaddr.default.IPv6.parse(text2));
  } catch {
  }
  return void 0;
}
function addressFromBytes(bytes2) {
  if (bytes2.length !== 4 && bytes2.length !== 16) return void 0;
  return fromParsed(import_ipaddr.default.fromByteArray(Array.from(bytes2)));
}
function isGrantable(address) {
  const range = import_ipaddr.default.fromByteArray(Array.from(address.bytes)).range();
  return range !== "unspecified" && range !== "multicast" && range !== "broadcast" && range !== "ipv4Mapped";
}
function unmapAddress(address) {
  if (address.family === 4) return address;
  const v6 = import_ipaddr.default.IPv6.parse(address.text);
  return v6.isIPv4MappedAddress() ? fromParsed(v6.toIPv4Address()) : address;
}
function addressInNetwork(address, cidr) {
  const [net, bits] = import_ipaddr.default.parseCIDR(cidr);
  const addr = import_ipaddr.default.fromByteArray(Array.from(address.bytes));
  return addr.kind() === net.kind() && addr.match(net, bits);
}
function fromParsed(addr) {
  const bytes2 = Uint8Array.from(addr.toByteArray());
  if (addr.kind() === "ipv4") return { family: 4, bytes: bytes2, text: addr.toString() };
  return { family: 6, bytes: bytes2, text: addr.toRFC5952String() };
}
var import_ipaddr;
var init_address = __esm({
  "packages/spa-protocol/src/address.ts"() {
    "use strict";
    import_ipaddr = __toESM(require_ipaddr(), 1);
  }
});

// packages/spa-protocol/src/bytes.ts
function concatBytes(...parts) {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
function isAllZero(a) {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc |= a[i];
  return acc === 0;
}
function wipe(a) {
  a.fill(0);
}
var init_bytes = __esm({
  "packages/spa-protocol/src/bytes.ts"() {
    "use strict";
  }
});

// packages/spa-protocol/src/constants.ts
var PROTOCOL_VERSION, HEADER_SIZE, EPHEMERAL_OFFSET, KEY_SIZE, TAG_SIZE, MAC1_SIZE, OVERHEAD, PAD_BLOCK, MAX_DATAGRAM_SIZE, SIGNATURE_SIZE, KEY_ID_SIZE, NONCE_SIZE, BODY_FIXED_SIZE, BODY_OFFSET, MAX_ACCESS_ITEMS, MAX_ADDRESSES, MAX_SERVICE_NAME_LENGTH, MAX_DURATION_SECONDS, REQUEST_KIND, ACCESS_TYPE, ascii, LABEL_KEY_ID, LABEL_SEAL, LABEL_MAC1, LABEL_SIGNATURE, CLIENT_PUBLIC_PREFIX, CLIENT_PRIVATE_PREFIX, SERVER_PUBLIC_PREFIX, SERVER_PRIVATE_PREFIX, DEFAULT_PORT;
var init_constants = __esm({
  "packages/spa-protocol/src/constants.ts"() {
    "use strict";
    PROTOCOL_VERSION = 1;
    HEADER_SIZE = 36;
    EPHEMERAL_OFFSET = 4;
    KEY_SIZE = 32;
    TAG_SIZE = 16;
    MAC1_SIZE = 16;
    OVERHEAD = HEADER_SIZE + TAG_SIZE + MAC1_SIZE;
    PAD_BLOCK = 32;
    MAX_DATAGRAM_SIZE = 1200;
    SIGNATURE_SIZE = 64;
    KEY_ID_SIZE = 16;
    NONCE_SIZE = 16;
    BODY_FIXED_SIZE = 79;
    BODY_OFFSET = {
      version: 0,
      server: 1,
      keyId: 33,
      timestamp: 49,
      nonce: 57,
      kind: 73,
      duration: 74,
      accessCount: 78
    };
    MAX_ACCESS_ITEMS = 16;
    MAX_ADDRESSES = 8;
    MAX_SERVICE_NAME_LENGTH = 32;
    MAX_DURATION_SECONDS = 4294967295;
    REQUEST_KIND = { open: 1, close: 2 };
    ACCESS_TYPE = { service: 1, tcp: 2, udp: 3 };
    ascii = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));
    LABEL_KEY_ID = ascii("spa-v1 key-id");
    LABEL_SEAL = ascii("spa-v1 seal");
    LABEL_MAC1 = ascii("spa-v1 mac1");
    LABEL_SIGNATURE = ascii("spa-v1 request signature");
    CLIENT_PUBLIC_PREFIX = "spa-ed25519:";
    CLIENT_PRIVATE_PREFIX = "spa-ed25519-private:";
    SERVER_PUBLIC_PREFIX = "spa-x25519:";
    SERVER_PRIVATE_PREFIX = "spa-x25519-private:";
    DEFAULT_PORT = 62201;
  }
});

// packages/spa-protocol/src/errors.ts
function assertBytes(value, length, name) {
  if (!(value instanceof Uint8Array)) {
    throw new SpaError(ERROR_CODES.invalidArgument, `${name} must be a Uint8Array`);
  }
  if (length !== void 0 && value.length !== length) {
    throw new SpaError(ERROR_CODES.invalidArgument, `${name} must be ${length} bytes, got ${value.length}`);
  }
  return value;
}
var ERROR_CODES, SpaError;
var init_errors2 = __esm({
  "packages/spa-protocol/src/errors.ts"() {
    "use strict";
    ERROR_CODES = {
      invalidArgument: "INVALID_ARGUMENT",
      invalidKey: "INVALID_KEY",
      weakKey: "WEAK_KEY",
      invalidRequest: "INVALID_REQUEST",
      requestTooLarge: "REQUEST_TOO_LARGE"
    };
    SpaError = class extends Error {
      code;
      constructor(code, message, options) {
        super(message, options);
        this.name = "SpaError";
        this.code = code;
      }
    };
  }
});

// packages/spa-protocol/src/request.ts
function isServiceName(name) {
  return typeof name === "string" && SERVICE_NAME.test(name);
}
function isPort(port) {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}
function parseAccess(text2) {
  if (typeof text2 !== "string") return void 0;
  const m = /^(tcp|udp)\/(\d{1,5})$/.exec(text2);
  if (m) {
    const port = Number(m[2]);
    return isPort(port) && String(port) === m[2] ? { type: m[1], port } : void 0;
  }
  return isServiceName(text2) ? { type: "service", name: text2 } : void 0;
}
function formatAccess(item) {
  return item.type === "service" ? item.name : `${item.type}/${item.port}`;
}
var SERVICE_NAME;
var init_request = __esm({
  "packages/spa-protocol/src/request.ts"() {
    "use strict";
    init_constants();
    SERVICE_NAME = new RegExp(`^[a-z0-9][a-z0-9_-]{0,${MAX_SERVICE_NAME_LENGTH - 1}}$`);
  }
});

// packages/spa-protocol/src/body.ts
function encodeBody(knock2) {
  const { access, addresses } = knock2;
  if (!Array.isArray(access) || access.length < 1 || access.length > MAX_ACCESS_ITEMS) {
    throw invalid(`a request names 1 to ${MAX_ACCESS_ITEMS} services or ports`);
  }
  if (!Array.isArray(addresses) || addresses.length > MAX_ADDRESSES) {
    throw invalid(`a request names at most ${MAX_ADDRESSES} addresses`);
  }
  if (!Number.isSafeInteger(knock2.timestampMs) || knock2.timestampMs < 0)
    throw invalid("timestamp out of range");
  if (!Number.isInteger(knock2.durationSeconds) || knock2.durationSeconds < 0 || knock2.durationSeconds > MAX_DURATION_SECONDS) {
    throw invalid("duration out of range");
  }
  if (knock2.kind === "close" && knock2.durationSeconds !== 0) throw invalid("a close request has no duration");
  if (new Set(access.map(formatAccess)).size !== access.length) throw invalid("duplicate service or port");
  const parts = [];
  for (const item of access) {
    if (item.type === "service") {
      if (!isServiceName(item.name)) throw invalid(`bad service name "${String(item.name)}"`);
      parts.push(ACCESS_TYPE.service, item.name.length);
      for (let i = 0; i < item.name.length; i++) parts.push(item.name.charCodeAt(i));
    } else {
      const type = item.type;
      if (!isPort(item.port) || ACCESS_TYPE[type] === void 0) throw invalid("bad port");
      parts.push(ACCESS_TYPE[type], item.port >> 8, item.port & 255);
    }
  }
  const seen = /* @__PURE__ */ new Set();
  parts.push(addresses.length);
  for (const text2 of addresses) {
    const addr = parseAddress(text2);
    if (!addr || !isGrantable(addr)) throw invalid(`not a unicast IP address: "${String(text2)}"`);
    if (seen.has(addr.text)) throw invalid(`duplicate address ${addr.text}`);
    seen.add(addr.text);
    parts.push(addr.family, ...addr.bytes);
  }
  const out = new Uint8Array(BODY_FIXED_SIZE + parts.length);
  const view = new DataView(out.buffer);
  out[BODY_OFFSET.version] = knock2.version;
  out.set(checkLength(knock2.serverKey, KEY_SIZE, "serverKey"), BODY_OFFSET.server);
  out.set(checkLength(knock2.keyId, KEY_ID_SIZE, "keyId"), BODY_OFFSET.keyId);
  view.setBigUint64(BODY_OFFSET.timestamp, BigInt(knock2.timestampMs));
  out.set(checkLength(knock2.nonce, NONCE_SIZE, "nonce"), BODY_OFFSET.nonce);
  out[BODY_OFFSET.kind] = REQUEST_KIND[knock2.kind] ?? 0;
  if (out[BODY_OFFSET.kind] === 0) throw invalid("kind must be open or close");
  view.setUint32(BODY_OFFSET.duration, knock2.durationSeconds);
  out[BODY_OFFSET.accessCount] = access.length;
  out.set(parts, BODY_FIXED_SIZE);
  return out;
}
function checkLength(value, length, name) {
  if (!(value instanceof Uint8Array) || value.length !== length)
    throw invalid(`${name} must be ${length} bytes`);
  return value;
}
var invalid;
var init_body = __esm({
  "packages/spa-protocol/src/body.ts"() {
    "use strict";
    init_address();
    init_constants();
    init_errors2();
    init_request();
    invalid = (message) => new SpaError(ERROR_CODES.invalidRequest, message);
  }
});

// node_modules/.pnpm/@scure+base@2.4.0/node_modules/@scure/base/index.js
function isBytes(a) {
  return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array" && "BYTES_PER_ELEMENT" in a && a.BYTES_PER_ELEMENT === 1;
}
function abytes(b) {
  if (!isBytes(b))
    throw new TypeError("Uint8Array expected");
}
function astr(label, input) {
  if (typeof input !== "string")
    throw new TypeError(`${label}: string expected`);
  return true;
}
function anumber(n, title = "number") {
  if (typeof n !== "number")
    throw new TypeError(`${title}: expected number, got ${typeof n}`);
  if (!Number.isSafeInteger(n))
    throw new RangeError(`${title}: expected safe integer, got ${n}`);
}
function chain(...args) {
  const id = (a) => a;
  const wrap = (a, b) => (c) => a(b(c));
  const encode2 = args.map((x) => x.encode).reduceRight(wrap, id);
  const decode2 = args.map((x) => x.decode).reduce(wrap, id);
  return { encode: encode2, decode: decode2 };
}
function charcodesToString(codes) {
  const len = codes.length;
  if (asciiDecoder !== void 0 && len >= 12)
    return asciiDecoder.decode(codes);
  if (len <= B2S_CHUNK)
    return String.fromCharCode.apply(null, codes);
  let res = "";
  for (let i = 0; i < len; i += B2S_CHUNK)
    res += String.fromCharCode.apply(null, codes.subarray(i, i + B2S_CHUNK));
  return res;
}
function radix2(bits) {
  anumber(bits);
  if (bits <= 0 || bits > 8)
    throw new RangeError("radix2: bits should be in (0..8]");
  const mask = powers[bits] - 1;
  return {
    encode: (bytes2) => {
      abytes(bytes2);
      const len = bytes2.length;
      const res = new Uint8Array(Math.ceil(len * 8 / bits));
      let carry = 0;
      let pos = 0;
      let j = 0;
      for (let i = 0; i < len; ) {
        if (i + 2 < len) {
          carry = carry << 24 | bytes2[i] << 16 | bytes2[i + 1] << 8 | bytes2[i + 2];
          pos += 24;
          i += 3;
        } else {
          carry = (carry << 8 | bytes2[i]) & 65535;
          pos += 8;
          i++;
        }
        for (; ; ) {
          pos -= bits;
          res[j++] = carry >> pos & mask;
          if (pos < bits)
            break;
        }
      }
      if (pos > 0)
        res[j] = carry << bits - pos & mask;
      return res;
    },
    decode: (digits) => {
      const len = digits.length;
      const res = new Uint8Array(Math.floor(len * bits / 8));
      let carry = 0;
      let pos = 0;
      let j = 0;
      for (let i = 0; i < len; i++) {
        carry = (carry << bits | digits[i]) & 65535;
        pos += bits;
        for (; pos >= 8; pos -= 8)
          res[j++] = carry >> pos - 8 & 255;
      }
      carry = carry << 8 - pos & 255;
      if (pos >= bits)
        throw new Error("Excess padding");
      if (carry > 0)
        throw new Error(`Non-zero padding: ${carry}`);
      return res;
    }
  };
}
function alphabet(letters, aliases) {
  const len = letters.length;
  if (len > 128)
    throw new Error("alphabet: max 128 letters");
  const encTable = new Uint8Array(len);
  const decTable = new Int8Array(128).fill(-1);
  for (let i = 0; i < len; i++) {
    const code = letters.charCodeAt(i);
    if (letters.codePointAt(i) !== code || code > 127)
      throw new Error("alphabet: single-char ASCII letters only");
    encTable[i] = code;
    decTable[code] = i;
  }
  if (aliases !== void 0) {
    for (const alias of Object.keys(aliases)) {
      const code = alias.charCodeAt(0);
      const target = decTable[aliases[alias].charCodeAt(0)];
      if (alias.length !== 1 || code > 127 || target === void 0 || target === -1)
        throw new Error(`alphabet: invalid alias ${alias}`);
      decTable[code] = target;
    }
  }
  return {
    encode: (digits) => {
      const codes = new Uint8Array(digits.length);
      for (let i = 0; i < digits.length; i++) {
        const d = digits[i];
        const code = encTable[d];
        if (code === void 0)
          throw new Error(`alphabet.encode: invalid digit ${d}`);
        codes[i] = code;
      }
      return charcodesToString(codes);
    },
    decode: (input) => {
      astr("decode", input);
      const slen = input.length;
      const digits = new Uint8Array(slen);
      for (let i = 0; i < slen; i++) {
        const code = input.charCodeAt(i);
        const digit = code < 128 ? decTable[code] : -1;
        if (digit === -1)
          throw new Error(`Unknown letter "${input[i]}". Allowed: ${letters}`);
        digits[i] = digit;
      }
      return digits;
    }
  };
}
var freeze, powers, asciiDecoder, B2S_CHUNK, base64urlnopad;
var init_base = __esm({
  "node_modules/.pnpm/@scure+base@2.4.0/node_modules/@scure/base/index.js"() {
    freeze = (fn) => Object.freeze(fn());
    powers = /* @__PURE__ */ (() => {
      let res = [];
      for (let i = 0; i < 40; i++)
        res.push(2 ** i);
      return res;
    })();
    asciiDecoder = /* @__PURE__ */ (() => {
      try {
        const decoder = new TextDecoder();
        return decoder.decode(Uint8Array.of(65, 48, 43, 127)) === "A0+\x7F" ? decoder : void 0;
      } catch (e) {
        return void 0;
      }
    })();
    B2S_CHUNK = 8192;
    base64urlnopad = /* @__PURE__ */ freeze(() => chain(radix2(6), alphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")));
  }
});

// packages/spa-protocol/src/encoding.ts
function decodeBase64url(text2, length) {
  try {
    const bytes2 = base64urlnopad.decode(text2);
    if (bytes2.length !== length || base64urlnopad.encode(bytes2) !== text2) return void 0;
    return bytes2;
  } catch {
    return void 0;
  }
}
var init_encoding = __esm({
  "packages/spa-protocol/src/encoding.ts"() {
    "use strict";
    init_base();
  }
});

// packages/spa-protocol/src/keys.ts
function parseServerPublicKey(text2) {
  return decodePublicKeyText("server", text2);
}
function decodePublicKeyText(kind, text2) {
  if (typeof text2 !== "string") throw new SpaError(ERROR_CODES.invalidArgument, "key text must be a string");
  const token = text2.trim().split(/\s+/, 1)[0] ?? "";
  const prefix = PREFIX[kind].public;
  if (!token.startsWith(prefix)) {
    throw new SpaError(
      ERROR_CODES.invalidKey,
      `not a ${kind} public key: expected it to start with "${prefix}"`
    );
  }
  const key = decodeBase64url(token.slice(prefix.length), KEY_SIZE);
  if (!key) throw new SpaError(ERROR_CODES.invalidKey, `${kind} public key is not 32 bytes of base64url`);
  return key;
}
function parsePrivateKey(kind, text2) {
  if (typeof text2 !== "string") throw new SpaError(ERROR_CODES.invalidArgument, "key text must be a string");
  const lines = text2.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  const prefix = PREFIX[kind].private;
  if (!lines.some((l) => l.startsWith(prefix)) && lines.some((l) => l.startsWith(PREFIX[kind].public))) {
    throw new SpaError(
      ERROR_CODES.invalidKey,
      `this is a public key; the private key file starts with ${prefix}`
    );
  }
  if (lines.length !== 1 || !lines[0].startsWith(prefix)) {
    throw new SpaError(
      ERROR_CODES.invalidKey,
      `not a ${kind} private key: expected one line starting with "${prefix}"`
    );
  }
  const key = decodeBase64url(lines[0].slice(prefix.length), KEY_SIZE);
  if (!key) throw new SpaError(ERROR_CODES.invalidKey, `${kind} private key is not 32 bytes of base64url`);
  return key;
}
function computeKeyId(backend, clientPublicKey) {
  assertBytes(clientPublicKey, KEY_SIZE, "clientPublicKey");
  return backend.sha256(concatBytes(LABEL_KEY_ID, clientPublicKey)).slice(0, KEY_ID_SIZE);
}
var systemRandom, PREFIX;
var init_keys = __esm({
  "packages/spa-protocol/src/keys.ts"() {
    "use strict";
    init_bytes();
    init_constants();
    init_encoding();
    init_errors2();
    systemRandom = (n) => crypto.getRandomValues(new Uint8Array(n));
    PREFIX = {
      client: { public: CLIENT_PUBLIC_PREFIX, private: CLIENT_PRIVATE_PREFIX },
      server: { public: SERVER_PUBLIC_PREFIX, private: SERVER_PRIVATE_PREFIX }
    };
  }
});

// packages/spa-protocol/src/mac.ts
function deriveMac1Key(backend, serverPublicKey) {
  return backend.sha256(concatBytes(LABEL_MAC1, serverPublicKey));
}
function computeMac1(backend, mac1Key, covered) {
  return backend.hmacSha256(mac1Key, covered).subarray(0, MAC1_SIZE);
}
var init_mac = __esm({
  "packages/spa-protocol/src/mac.ts"() {
    "use strict";
    init_bytes();
    init_constants();
  }
});

// packages/spa-protocol/src/seal.ts
function deriveSealKey(backend, shared, ephemeralPublic, serverPublic) {
  return backend.hkdfSha256(shared, LABEL_SEAL, concatBytes(ephemeralPublic, serverPublic), KEY_SIZE);
}
function seal(backend, serverPublic, ephemeralSecret, ephemeralPublic, header, plaintext) {
  const shared = backend.x25519(ephemeralSecret, serverPublic);
  if (!shared || isAllZero(shared)) return void 0;
  const key = deriveSealKey(backend, shared, ephemeralPublic, serverPublic);
  wipe(shared);
  const sealed = backend.chachaSeal(key, ZERO_NONCE, plaintext, header);
  wipe(key);
  return sealed;
}
var ZERO_NONCE;
var init_seal = __esm({
  "packages/spa-protocol/src/seal.ts"() {
    "use strict";
    init_bytes();
    init_constants();
    ZERO_NONCE = new Uint8Array(12);
  }
});

// packages/spa-protocol/src/packet.ts
function encodeDatagram(options) {
  const { backend, request: request2 } = options;
  const serverKey = assertBytes(options.serverPublicKey, KEY_SIZE, "serverPublicKey");
  const secret = assertBytes(options.clientSecretKey, KEY_SIZE, "clientSecretKey");
  const random = options.random ?? systemRandom;
  const clientPublic = options.clientPublicKey ?? backend.ed25519PublicKey(secret);
  const knock2 = {
    ...request2,
    version: PROTOCOL_VERSION,
    serverKey,
    keyId: computeKeyId(backend, clientPublic),
    timestampMs: Math.trunc((options.now ?? Date.now)()),
    nonce: assertBytes(random(NONCE_SIZE), NONCE_SIZE, "random output")
  };
  const body = encodeBody(knock2);
  const signature = backend.ed25519Sign(secret, concatBytes(LABEL_SIGNATURE, body));
  const unpadded = SIGNATURE_SIZE + body.length;
  const plaintext = new Uint8Array(Math.ceil(unpadded / PAD_BLOCK) * PAD_BLOCK);
  plaintext.set(signature);
  plaintext.set(body, SIGNATURE_SIZE);
  const ephemeralSecret = assertBytes(random(KEY_SIZE), KEY_SIZE, "random output");
  const header = new Uint8Array(HEADER_SIZE);
  header[0] = PROTOCOL_VERSION;
  header.set(backend.x25519PublicKey(ephemeralSecret), EPHEMERAL_OFFSET);
  const sealed = seal(
    backend,
    serverKey,
    ephemeralSecret,
    header.subarray(EPHEMERAL_OFFSET),
    header,
    plaintext
  );
  ephemeralSecret.fill(0);
  if (!sealed) throw new SpaError(ERROR_CODES.invalidKey, "server public key is a small-order point");
  const datagram = new Uint8Array(HEADER_SIZE + sealed.length + MAC1_SIZE);
  if (datagram.length > MAX_DATAGRAM_SIZE)
    throw new SpaError(ERROR_CODES.requestTooLarge, "request too large");
  datagram.set(header);
  datagram.set(sealed, HEADER_SIZE);
  const covered = datagram.subarray(0, datagram.length - MAC1_SIZE);
  datagram.set(computeMac1(backend, deriveMac1Key(backend, serverKey), covered), covered.length);
  return { datagram, knock: knock2 };
}
var init_packet = __esm({
  "packages/spa-protocol/src/packet.ts"() {
    "use strict";
    init_body();
    init_bytes();
    init_constants();
    init_errors2();
    init_keys();
    init_mac();
    init_seal();
  }
});

// packages/spa-protocol/src/index.ts
var init_src = __esm({
  "packages/spa-protocol/src/index.ts"() {
    "use strict";
    init_address();
    init_constants();
    init_keys();
    init_packet();
    init_request();
  }
});

// packages/spa-client/src/option-values.ts
function parsePortOption(option, text2) {
  if (!/^\d{1,5}$/.test(text2) || Number(text2) < 1 || Number(text2) > 65535) {
    throw usageError(`--${option}: expected a port number 1-65535, got "${clip(text2)}"`);
  }
  return Number(text2);
}
function parseSecondsOption(option, text2, { min = 0, max = 4294967295, fraction = false } = {}) {
  const pattern = fraction ? /^\d{1,10}(\.\d{1,3})?$/ : /^\d{1,10}$/;
  const value = Number(text2);
  if (!pattern.test(text2) || value < min || value > max) {
    throw usageError(
      `--${option}: expected ${fraction ? "a number of" : "whole"} seconds ${min}-${max}, got "${clip(text2)}"`
    );
  }
  return value;
}
function parseAccessList(words) {
  const items = /* @__PURE__ */ new Map();
  for (const word of words) {
    const item = parseAccess(word);
    if (!item) {
      throw usageError(
        `not a service name, tcp/PORT or udp/PORT: "${clip(word)}" (service names are [a-z0-9][a-z0-9_-]*)`
      );
    }
    items.set(formatAccess(item), item);
  }
  if (items.size > MAX_ACCESS_ITEMS)
    throw usageError(`at most ${MAX_ACCESS_ITEMS} services or ports per request`);
  return [...items.values()];
}
function clip(text2) {
  const printable = text2.replace(/[^\x20-\x7e]/g, "?");
  return printable.length > 40 ? `${printable.slice(0, 40)}\u2026` : printable;
}
var init_option_values = __esm({
  "packages/spa-client/src/option-values.ts"() {
    "use strict";
    init_src();
    init_errors();
  }
});

// packages/spa-client/src/discovery-sources.ts
function isDiscoveryToken(token) {
  return token === "stun" || token.startsWith("stun=") || /^[a-z][a-z0-9+.-]*:\/\//i.test(token);
}
function parseDiscoverySources(tokens, where) {
  const https = /* @__PURE__ */ new Set();
  const stun = /* @__PURE__ */ new Map();
  for (const token of tokens) {
    if (token === "stun") {
      throw usageError(
        `${where}: "stun" needs two servers whose answers must agree, stun=HOST:PORT,stun=HOST:PORT (none is built in)`
      );
    }
    if (token.startsWith("stun=")) {
      const server = parseStunServer(token.slice(5), where);
      stun.set(formatHostPort(server.host, server.port), server);
    } else https.add(parseHttpsUrl(token, where));
  }
  if (stun.size === 1) {
    throw usageError(
      `${where}: one STUN server is not enough (its answer is not authenticated): name two, stun=HOST:PORT,stun=HOST:PORT, whose answers must agree`
    );
  }
  if (https.size + stun.size > MAX_DISCOVERY_SOURCES) {
    throw usageError(`${where}: at most ${MAX_DISCOVERY_SOURCES} discovery sources`);
  }
  return { https: [...https], stun: [...stun.values()] };
}
function parseHttpsUrl(text2, where) {
  let url;
  try {
    url = new URL(text2);
  } catch {
    throw usageError(`${where}: expected https://URL or stun=HOST:PORT, got "${clip(text2)}"`);
  }
  if (url.protocol !== "https:") {
    throw usageError(
      `${where}: ${url.protocol}// is refused: discovery needs https:// (the answer must be authenticated), got "${clip(text2)}"`
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw usageError(`${where}: no user name or password in a discovery URL`);
  }
  return url.href;
}
function parseStunServer(text2, where) {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(text2);
  const port = m?.[3] === void 0 ? STUN_PORT : Number(m[3]);
  const host = m?.[1] ?? m?.[2];
  if (!host || port < 1 || port > 65535 || m?.[1] !== void 0 && parseAddress(host)?.family !== 6) {
    throw usageError(`${where}: expected stun=HOST:PORT (IPv6 as [ADDR]:PORT), got "stun=${clip(text2)}"`);
  }
  return { host, port };
}
function describeDiscovery(sources) {
  return [...sources.https, ...sources.stun.map((s) => `stun=${formatHostPort(s.host, s.port)}`)];
}
function formatHostPort(host, port) {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
var MAX_DISCOVERY_SOURCES, STUN_PORT;
var init_discovery_sources = __esm({
  "packages/spa-client/src/discovery-sources.ts"() {
    "use strict";
    init_src();
    init_errors();
    init_option_values();
    MAX_DISCOVERY_SOURCES = 4;
    STUN_PORT = 3478;
  }
});

// packages/spa-client/src/local-address.ts
var local_address_exports = {};
__export(local_address_exports, {
  localAddressToward: () => localAddressToward
});
function localAddressToward(target, port) {
  const socket = (0, import_node_dgram.createSocket)({ type: target.family === 4 ? "udp4" : "udp6" });
  return new Promise((resolve2) => {
    const finish = (value) => {
      socket.close();
      resolve2(value);
    };
    socket.on("error", () => finish(void 0));
    socket.connect(port, target.address, (error) => {
      if (error) return finish(void 0);
      const local = parseAddress(socket.address().address);
      finish(local && isGrantable(local) ? local.text : void 0);
    });
  });
}
var import_node_dgram;
var init_local_address = __esm({
  "packages/spa-client/src/local-address.ts"() {
    "use strict";
    import_node_dgram = require("node:dgram");
    init_src();
  }
});

// packages/spa-client/src/address-scope.ts
var address_scope_exports = {};
__export(address_scope_exports, {
  isLocalScope: () => isLocalScope,
  sameScope: () => sameScope
});
function isLocalScope(text2) {
  const address = parseAddress(text2);
  return address !== void 0 && LOCAL_NETWORKS.some((n) => addressInNetwork(address, n));
}
function sameScope(local, server) {
  return isLocalScope(local) === isLocalScope(server);
}
var LOCAL_NETWORKS;
var init_address_scope = __esm({
  "packages/spa-client/src/address-scope.ts"() {
    "use strict";
    init_src();
    LOCAL_NETWORKS = [
      "10.0.0.0/8",
      // RFC 1918
      "172.16.0.0/12",
      "192.168.0.0/16",
      "100.64.0.0/10",
      // RFC 6598, carrier-grade NAT
      "169.254.0.0/16",
      // link-local
      "127.0.0.0/8",
      "fc00::/7",
      // RFC 4193, unique local
      "fe80::/10",
      "::1/128"
    ];
  }
});

// packages/spa-client/src/https-echo.ts
var https_echo_exports = {};
__export(https_echo_exports, {
  queryHttpsEcho: () => queryHttpsEcho
});
function queryHttpsEcho(url, family, options = {}) {
  const label = `${url} (IPv${family})`;
  return new Promise((resolve2, reject) => {
    let settled = false;
    const finish = (error, address, cause) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      if (error === void 0) resolve2(address);
      else reject(new ClientError(CLIENT_ERROR_CODES.discoveryFailed, `${label}: ${error}`, { cause }));
    };
    const req = (0, import_node_https.request)(url, {
      method: "GET",
      family,
      agent: false,
      // Certificate and host name are checked (rejectUnauthorized is the default); `ca` replaces
      // the system list, so it is given back alongside the extra certificates.
      ...options.ca === void 0 ? {} : { ca: [...import_node_tls.rootCertificates, options.ca] },
      headers: { accept: "text/plain", "user-agent": "spa-client" }
    });
    const timer = setTimeout(
      () => finish(`no answer within ${(options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1e3} s`),
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    );
    req.on(
      "error",
      (error) => finish(error.code ?? error.message, void 0, error)
    );
    req.on("response", (res) => {
      if (res.statusCode !== 200) return finish(`HTTP status ${res.statusCode}`);
      const chunks = [];
      let size = 0;
      res.on("data", (chunk) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) finish(`answer longer than ${MAX_BODY_BYTES} bytes, not an address`);
        else chunks.push(chunk);
      });
      res.on("error", (error) => finish(error.message, void 0, error));
      res.on("end", () => {
        const text2 = Buffer.concat(chunks).toString("latin1").trim();
        const address = parseAddress(text2);
        if (!address) return finish("the answer is not an IP address");
        if (!isGrantable(address)) return finish(`the answer ${address.text} is not a unicast address`);
        if (address.family !== family) return finish(`asked over IPv${family}, answered ${address.text}`);
        finish(void 0, address.text);
      });
    });
    req.end();
  });
}
var import_node_https, import_node_tls, MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS;
var init_https_echo = __esm({
  "packages/spa-client/src/https-echo.ts"() {
    "use strict";
    import_node_https = require("node:https");
    import_node_tls = require("node:tls");
    init_src();
    init_errors();
    MAX_BODY_BYTES = 256;
    DEFAULT_TIMEOUT_MS = 5e3;
  }
});

// packages/spa-client/src/stun-message.ts
function encodeBindingRequest(transactionId) {
  if (transactionId.length !== STUN_TRANSACTION_ID_SIZE)
    throw new RangeError("transaction id must be 12 bytes");
  const out = new Uint8Array(STUN_HEADER_SIZE);
  const view = new DataView(out.buffer);
  view.setUint16(0, BINDING_REQUEST);
  view.setUint16(2, 0);
  view.setUint32(4, STUN_MAGIC_COOKIE);
  out.set(transactionId, 8);
  return out;
}
function parseBindingResponse(message, transactionId) {
  if (message.length < STUN_HEADER_SIZE || (message[0] & 192) !== 0)
    return { ok: false, reason: "not-stun" };
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const type = view.getUint16(0);
  const length = view.getUint16(2);
  if (view.getUint32(4) !== STUN_MAGIC_COOKIE) return { ok: false, reason: "not-stun" };
  if (!sameBytes(message.subarray(8, STUN_HEADER_SIZE), transactionId))
    return { ok: false, reason: "not-ours" };
  if (type !== BINDING_SUCCESS && type !== BINDING_ERROR) return { ok: false, reason: "not-ours" };
  if (length % 4 !== 0 || STUN_HEADER_SIZE + length !== message.length)
    return { ok: false, reason: "malformed" };
  let xorMapped;
  let mapped;
  let errorCode;
  let offset = STUN_HEADER_SIZE;
  while (offset < message.length) {
    if (offset + 4 > message.length) return { ok: false, reason: "malformed" };
    const attrType = view.getUint16(offset);
    const attrLength = view.getUint16(offset + 2);
    const start = offset + 4;
    if (start + attrLength > message.length) return { ok: false, reason: "malformed" };
    const value = message.subarray(start, start + attrLength);
    if (attrType === ATTR_XOR_MAPPED_ADDRESS || attrType === ATTR_XOR_MAPPED_ADDRESS_OLD) {
      xorMapped ??= decodeAddress(value, message.subarray(4, STUN_HEADER_SIZE));
    } else if (attrType === ATTR_MAPPED_ADDRESS) {
      mapped ??= decodeAddress(value, void 0);
    } else if (attrType === ATTR_ERROR_CODE && attrLength >= 4) {
      errorCode = (value[2] & 7) * 100 + value[3];
    }
    offset = start + Math.ceil(attrLength / 4) * 4;
  }
  if (type === BINDING_ERROR) return { ok: false, reason: "error-response", errorCode };
  const found = xorMapped ?? mapped;
  return found ? { ok: true, mapped: found } : { ok: false, reason: "no-address" };
}
function decodeAddress(value, xorKey) {
  if (value.length < 4) return void 0;
  const family = value[1] === FAMILY_IPV4 ? 4 : value[1] === FAMILY_IPV6 ? 6 : void 0;
  const size = family === 4 ? 4 : 16;
  if (family === void 0 || value.length !== 4 + size) return void 0;
  const bytes2 = value.slice(4, 4 + size);
  let port = value[2] << 8 | value[3];
  if (xorKey) {
    port ^= STUN_MAGIC_COOKIE >>> 16;
    for (let i = 0; i < size; i++) bytes2[i] = bytes2[i] ^ xorKey[i];
  }
  const address = addressFromBytes(bytes2);
  return address ? { family, address: address.text, port } : void 0;
}
function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
var STUN_HEADER_SIZE, STUN_MAGIC_COOKIE, STUN_TRANSACTION_ID_SIZE, BINDING_REQUEST, BINDING_SUCCESS, BINDING_ERROR, ATTR_MAPPED_ADDRESS, ATTR_XOR_MAPPED_ADDRESS, ATTR_XOR_MAPPED_ADDRESS_OLD, ATTR_ERROR_CODE, FAMILY_IPV4, FAMILY_IPV6;
var init_stun_message = __esm({
  "packages/spa-client/src/stun-message.ts"() {
    "use strict";
    init_src();
    STUN_HEADER_SIZE = 20;
    STUN_MAGIC_COOKIE = 554869826;
    STUN_TRANSACTION_ID_SIZE = 12;
    BINDING_REQUEST = 1;
    BINDING_SUCCESS = 257;
    BINDING_ERROR = 273;
    ATTR_MAPPED_ADDRESS = 1;
    ATTR_XOR_MAPPED_ADDRESS = 32;
    ATTR_XOR_MAPPED_ADDRESS_OLD = 32800;
    ATTR_ERROR_CODE = 9;
    FAMILY_IPV4 = 1;
    FAMILY_IPV6 = 2;
  }
});

// packages/spa-client/src/stun-client.ts
var stun_client_exports = {};
__export(stun_client_exports, {
  queryStun: () => queryStun
});
async function queryStun(server, family, options = {}) {
  const label = `STUN server ${formatHostPort(server.host, server.port)} (IPv${family})`;
  const serverAddress = await resolveFor(server.host, family, label);
  const transactionId = (0, import_node_crypto2.randomBytes)(STUN_TRANSACTION_ID_SIZE);
  const request2 = encodeBindingRequest(transactionId);
  const attempts = options.attempts ?? 3;
  const socket = (0, import_node_dgram2.createSocket)({ type: family === 4 ? "udp4" : "udp6" });
  try {
    return await new Promise((resolve2, reject) => {
      let sent = 0;
      let ignored = 0;
      let rto = options.initialRtoMs ?? 500;
      let timer;
      const fail = (message, cause) => {
        clearTimeout(timer);
        reject(new ClientError(CLIENT_ERROR_CODES.stunFailed, `${label}: ${message}`, { cause }));
      };
      const transmit = () => {
        if (sent >= attempts) {
          fail(`no answer after ${sent} requests`);
          return;
        }
        sent++;
        socket.send(request2, server.port, serverAddress, (error) => {
          if (error) fail(`cannot send: ${error.code ?? error.message}`, error);
        });
        timer = setTimeout(transmit, rto);
        rto *= 2;
      };
      socket.on("error", (error) => fail(error.message, error));
      socket.on("message", (message, remote) => {
        const fromServer = remote.port === server.port && sameAddress(remote.address, serverAddress);
        const result = fromServer ? parseBindingResponse(message, transactionId) : void 0;
        if (result?.ok) {
          clearTimeout(timer);
          resolve2(result.mapped);
        } else if (result?.reason === "error-response") {
          fail(`error response ${result.errorCode ?? "without a code"}`);
        } else if (++ignored > MAX_IGNORED_REPLIES) {
          fail("too many unexpected replies");
        }
      });
      transmit();
    });
  } finally {
    socket.close();
  }
}
async function resolveFor(host, family, label) {
  const literal = parseAddress(host);
  if (literal) {
    if (literal.family !== family)
      throw new ClientError(CLIENT_ERROR_CODES.stunFailed, `${label}: not an IPv${family} address`);
    return literal.text;
  }
  try {
    return (await (0, import_promises.lookup)(host, { family })).address;
  } catch (cause) {
    const code = cause.code ?? "lookup failed";
    throw new ClientError(CLIENT_ERROR_CODES.stunFailed, `${label}: cannot resolve ${host} (${code})`, {
      cause
    });
  }
}
function sameAddress(a, b) {
  const x = parseAddress(a);
  const y = parseAddress(b);
  return x !== void 0 && y !== void 0 && x.text === y.text;
}
var import_node_crypto2, import_node_dgram2, import_promises, MAX_IGNORED_REPLIES;
var init_stun_client = __esm({
  "packages/spa-client/src/stun-client.ts"() {
    "use strict";
    import_node_crypto2 = require("node:crypto");
    import_node_dgram2 = require("node:dgram");
    import_promises = require("node:dns/promises");
    init_src();
    init_discovery_sources();
    init_errors();
    init_stun_message();
    MAX_IGNORED_REPLIES = 64;
  }
});

// packages/spa-client/src/discover-address.ts
var discover_address_exports = {};
__export(discover_address_exports, {
  discoverAddress: () => discoverAddress
});
async function discoverAddress(sources, family, options = {}) {
  const asks = [];
  if (sources.https.length > 0) {
    const { queryHttpsEcho: queryHttpsEcho2 } = await Promise.resolve().then(() => (init_https_echo(), https_echo_exports));
    for (const url of sources.https) {
      asks.push(queryHttpsEcho2(url, family, options.https).then((address) => ({ label: url, address })));
    }
  }
  if (sources.stun.length > 0) {
    const { queryStun: queryStun2 } = await Promise.resolve().then(() => (init_stun_client(), stun_client_exports));
    for (const server of sources.stun) {
      const label = `stun=${formatHostPort(server.host, server.port)}`;
      asks.push(queryStun2(server, family, options.stun).then((m) => ({ label, address: m.address })));
    }
  }
  const results = await Promise.allSettled(asks);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  const answers = results.map((r) => r.value);
  if (new Set(answers.map((a) => a.address)).size > 1) {
    throw new ClientError(
      CLIENT_ERROR_CODES.discoveryConflict,
      `IPv${family} discovery sources disagree (${answers.map((a) => `${a.label} says ${a.address}`).join(", ")}): signing neither; one of them may be lying`
    );
  }
  return answers[0].address;
}
var init_discover_address = __esm({
  "packages/spa-client/src/discover-address.ts"() {
    "use strict";
    init_discovery_sources();
    init_errors();
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/util.js
function jsonStringifyReplacer(_, value) {
  if (typeof value === "bigint")
    return value.toString();
  return value;
}
function cached2(getter) {
  return new Cached(getter);
}
function nullish(input) {
  return input === null || input === void 0;
}
function cleanRegex(source) {
  const start = source.startsWith("^") ? 1 : 0;
  const end = source.endsWith("$") ? source.length - 1 : source.length;
  return source.slice(start, end);
}
function assignProp(target, prop, value) {
  Object.defineProperty(target, prop, {
    value,
    writable: true,
    enumerable: true,
    configurable: true
  });
}
function isObject(data) {
  return typeof data === "object" && data !== null && !Array.isArray(data);
}
function isPlainObject(o) {
  if (isObject(o) === false)
    return false;
  const ctor = o.constructor;
  if (ctor === void 0)
    return true;
  if (typeof ctor !== "function")
    return true;
  const prot = ctor.prototype;
  if (isObject(prot) === false)
    return false;
  if (Object.prototype.hasOwnProperty.call(prot, "isPrototypeOf") === false) {
    return false;
  }
  return true;
}
function clone(inst, def, params) {
  const cl = new inst._zod.constr(def ?? inst._zod.def);
  if (!def || params?.parent)
    cl._zod.parent = inst;
  return cl;
}
function normalizeParams(_params) {
  const params = _params;
  if (!params)
    return {};
  if (typeof params === "string")
    return { error: () => params };
  if (params?.message !== void 0) {
    if (params?.error !== void 0)
      throw new Error("Cannot specify both `message` and `error` params");
    params.error = params.message;
  }
  delete params.message;
  if (typeof params.error === "string")
    return { ...params, error: () => params.error };
  return params;
}
function optionalKeys(shape) {
  return Object.keys(shape).filter((k) => {
    return shape[k]._zod.optin !== void 0 && shape[k]._zod.optout === "optional";
  });
}
function aborted(x, startIndex = 0) {
  if (x.aborted === true)
    return true;
  for (let i = startIndex; i < x.issues.length; i++) {
    if (x.issues[i]?.continue !== true) {
      return true;
    }
  }
  return false;
}
function explicitlyAborted(x, startIndex = 0) {
  if (x.aborted === true)
    return true;
  for (let i = startIndex; i < x.issues.length; i++) {
    if (x.issues[i]?.continue === false) {
      return true;
    }
  }
  return false;
}
function prefixIssues(path, issues) {
  return issues.map((iss) => {
    var _a3;
    (_a3 = iss).path ?? (_a3.path = []);
    iss.path.unshift(path);
    return iss;
  });
}
function unwrapMessage(message) {
  return typeof message === "string" ? message : message?.message;
}
function sizeCaps(defChecks) {
  const caps = [];
  for (const ch of defChecks ?? []) {
    const d = ch._zod.def;
    if (!/_(length|size)$|_equals$/.test(d.check))
      break;
    const max = d.maximum ?? d.length ?? d.size;
    if (max >= 0)
      caps.push([max, ch]);
  }
  return caps;
}
function attachSchema(issues, start, inst) {
  var _a3;
  for (let i = start; i < issues.length; i++) {
    (_a3 = issues[i]).schema ?? (_a3.schema = inst);
  }
}
function finalizeIssue(iss, ctx, config2) {
  var _a3;
  const traits = iss.inst?._zod?.traits;
  if (traits?.has("$ZodType")) {
    if (traits.has("$ZodCheck"))
      (_a3 = iss).schema ?? (_a3.schema = iss.inst);
    else
      iss.schema = iss.inst;
  }
  const schemaError = iss.schema !== iss.inst ? iss.schema?._zod.def?.error : void 0;
  const message = iss.message ? iss.message : unwrapMessage(iss.inst?._zod.def?.error?.(iss)) ?? unwrapMessage(schemaError?.(iss)) ?? unwrapMessage(ctx?.error?.(iss)) ?? unwrapMessage(config2.customError?.(iss)) ?? unwrapMessage(config2.localeError?.(iss)) ?? "Invalid input";
  const full = {};
  for (const k of Object.keys(iss)) {
    if (k === "inst" || k === "schema" || k === "continue" || k === "input" || k === "__proto__")
      continue;
    full[k] = iss[k];
  }
  full.path ?? (full.path = []);
  full.message = message;
  if (ctx?.reportInput) {
    full.input = iss.input;
  }
  return full;
}
function codePointLength(str) {
  const units = str.length;
  if (!highSurrogate.test(str))
    return units;
  let count = units;
  for (let i = 0; i < units - 1; i++) {
    if ((str.charCodeAt(i) & 64512) === 55296 && (str.charCodeAt(i + 1) & 64512) === 56320) {
      count--;
      i++;
    }
  }
  return count;
}
function getLengthableOrigin(input) {
  if (Array.isArray(input))
    return "array";
  if (typeof input === "string")
    return "string";
  return "unknown";
}
function issue(...args) {
  const [iss, input, inst] = args;
  if (typeof iss === "string") {
    return {
      message: iss,
      code: "custom",
      input,
      inst
    };
  }
  return { ...iss };
}
function members(proto, table) {
  for (const key in table) {
    const desc = Object.getOwnPropertyDescriptor(table, key);
    if (desc.get)
      Object.defineProperty(proto, key, { ...desc, enumerable: false });
    else
      defineBound(proto, key, desc.value);
  }
}
function own(inst, key, value, enumerable = true) {
  Object.defineProperty(inst, key, { configurable: true, writable: true, enumerable, value });
  return value;
}
function hide(inst, key, value) {
  return own(inst, key, value, false);
}
function defineBound(proto, key, fn) {
  Object.defineProperty(proto, key, {
    configurable: true,
    get() {
      return this == null ? fn : own(this, key, fn.bind(this));
    },
    set(value) {
      own(this, key, value);
    }
  });
}
function claim(inst, sentinel) {
  const proto = Object.getPrototypeOf(inst);
  return sentinel in proto ? void 0 : proto;
}
function defineLazyInternal(inst, key, compute) {
  const proto = Object.getPrototypeOf(inst._zod);
  if (key in proto && installing !== inst._zod) {
    installing = void 0;
    return;
  }
  installing = inst._zod;
  Object.defineProperty(proto, key, {
    configurable: true,
    get() {
      Object.defineProperty(this, key, breaker);
      const outer = broke;
      broke = false;
      try {
        const value = compute(this);
        if (broke)
          delete this[key];
        else
          Object.defineProperty(this, key, { configurable: true, writable: true, value });
        broke = broke || outer;
        return value;
      } catch (err) {
        delete this[key];
        broke = broke || outer;
        throw err;
      }
    },
    set(value) {
      Object.defineProperty(this, key, { configurable: true, writable: true, value });
    }
  });
}
function installLazyProp(inst, key, make, enumerable) {
  const proto = claim(inst, key);
  if (!proto)
    return;
  Object.defineProperty(proto, key, {
    configurable: true,
    get() {
      const desc = { configurable: true, writable: true, enumerable, value: void 0 };
      Object.defineProperty(this, key, desc);
      desc.value = make(this);
      Object.defineProperty(this, key, desc);
      return desc.value;
    },
    set(value) {
      Object.defineProperty(this, key, { configurable: true, writable: true, enumerable, value });
    }
  });
}
var Cached, captureStackTrace, NUMBER_FORMAT_RANGES, highSurrogate, installing, broke, breaker;
var init_util = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/util.js"() {
    Cached = class {
      constructor(getter) {
        this._getter = getter;
        this._value = void 0;
      }
      get value() {
        const getter = this._getter;
        if (getter !== void 0) {
          this._value = getter();
          this._getter = void 0;
        }
        return this._value;
      }
    };
    captureStackTrace = "captureStackTrace" in Error ? Error.captureStackTrace : (..._args) => {
    };
    NUMBER_FORMAT_RANGES = /* @__PURE__ */ (() => ({
      safeint: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
      int32: [-2147483648, 2147483647],
      uint32: [0, 4294967295],
      float32: [-34028234663852886e22, 34028234663852886e22],
      float64: [-Number.MAX_VALUE, Number.MAX_VALUE]
    }))();
    highSurrogate = /[\uD800-\uDBFF]/;
    broke = false;
    breaker = {
      configurable: true,
      get() {
        broke = true;
        return void 0;
      }
    };
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/core.js
function newError(Definition) {
  const E = _E;
  if (E) {
    const saved = E.stackTraceLimit;
    if (typeof saved === "number") {
      try {
        E.stackTraceLimit = 0;
      } catch {
        _E = null;
        return new Definition();
      }
      try {
        return new Definition();
      } finally {
        E.stackTraceLimit = saved;
      }
    }
  }
  return new Definition();
}
// @__NO_SIDE_EFFECTS__
function $constructor(name, initializer2, proto, params) {
  const zodProto = {};
  function Internals(def) {
    this.def = def;
    this.constr = _;
    this.traits = /* @__PURE__ */ new Set();
  }
  Internals.prototype = zodProto;
  const protoMembers = proto;
  const initialized = protoMembers && /* @__PURE__ */ new WeakSet();
  function init(inst, def) {
    if (!inst._zod) {
      _zodDesc.value = new Internals(def);
      try {
        Object.defineProperty(inst, "_zod", _zodDesc);
      } finally {
        _zodDesc.value = void 0;
      }
    } else if (inst._zod.traits.has(name)) {
      return;
    }
    inst._zod.traits.add(name);
    initializer2(inst, def);
    if (initialized) {
      const own2 = Object.getPrototypeOf(inst);
      const ctorProto = inst._zod.constr.prototype;
      let up = own2;
      while (up && up !== ctorProto)
        up = Object.getPrototypeOf(up);
      const target = up ?? own2;
      if (!initialized.has(target)) {
        initialized.add(target);
        members(target, protoMembers);
      }
    }
    const proto2 = _.prototype;
    for (const k in proto2) {
      if (!Object.prototype.hasOwnProperty.call(proto2, k))
        continue;
      if (!(k in inst)) {
        inst[k] = proto2[k].bind(inst);
      }
    }
  }
  const Parent = params?.Parent ?? Object;
  class Definition extends Parent {
  }
  Object.defineProperty(Definition, "name", { value: name });
  function _(def) {
    const inst = params?.Parent ? newError(Definition) : this;
    init(inst, def);
    const deferred = inst._zod.deferred;
    if (deferred) {
      for (const fn of deferred) {
        fn();
      }
      inst._zod.deferred = void 0;
    }
    const pp = globalThis.__zod_globalConfig?.postProcessor;
    if (pp)
      pp(inst);
    return inst;
  }
  Object.defineProperty(_, "init", { value: init });
  Object.defineProperty(_, Symbol.hasInstance, {
    value: (inst) => {
      if (params?.Parent && inst instanceof params.Parent)
        return true;
      return inst?._zod?.traits?.has(name);
    }
  });
  Object.defineProperty(_, "name", { value: name });
  return _;
}
function config(newConfig) {
  if (newConfig)
    Object.assign(globalConfig, newConfig);
  return globalConfig;
}
var _a, _zodDesc, _E, $ZodAsyncError, globalConfig;
var init_core = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/core.js"() {
    init_util();
    _zodDesc = { value: void 0, enumerable: false };
    _E = "captureStackTrace" in Error ? Error : null;
    $ZodAsyncError = class extends Error {
      constructor() {
        super(`Encountered Promise during synchronous parse. Use .parseAsync() instead.`);
      }
    };
    (_a = globalThis).__zod_globalConfig ?? (_a.__zod_globalConfig = {});
    globalConfig = globalThis.__zod_globalConfig;
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/errors.js
function _getMessage() {
  const internals = this._zod;
  internals.message ?? (internals.message = JSON.stringify(internals.def, jsonStringifyReplacer, 2));
  return internals.message;
}
function _setMessage(value) {
  this._zod.message = value;
}
var _messageDesc, _issuesDesc, _installedToString, initializer, $ZodError, $ZodRealError;
var init_errors3 = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/errors.js"() {
    init_core();
    init_util();
    _messageDesc = {
      get: _getMessage,
      set: _setMessage,
      enumerable: true,
      configurable: true
    };
    _issuesDesc = { value: void 0, enumerable: false };
    _installedToString = /* @__PURE__ */ new WeakSet([Object.prototype, Error.prototype]);
    initializer = (inst, def) => {
      inst.name = "$ZodError";
      _issuesDesc.value = def;
      Object.defineProperty(inst, "issues", _issuesDesc);
      _issuesDesc.value = void 0;
      Object.defineProperty(inst, "message", _messageDesc);
      const proto = Object.getPrototypeOf(inst);
      if (!_installedToString.has(proto)) {
        _installedToString.add(proto);
        Object.defineProperty(proto, "toString", {
          configurable: true,
          enumerable: false,
          get() {
            const value = () => this.message;
            Object.defineProperty(this, "toString", { value, configurable: true, writable: true });
            return value;
          },
          set(value) {
            Object.defineProperty(this, "toString", { value, configurable: true, writable: true });
          }
        });
      }
    };
    $ZodError = $constructor("$ZodError", initializer);
    $ZodRealError = $constructor("$ZodError", initializer, void 0, {
      Parent: Error
    });
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/parse.js
function failure(Err, issues, ctx) {
  let error;
  return {
    success: false,
    get error() {
      if (!error) {
        error = new Err(issues.map((iss) => finalizeIssue(iss, ctx, config())));
        issues = void 0;
        ctx = void 0;
      }
      return error;
    },
    set error(e) {
      error = e;
      issues = void 0;
      ctx = void 0;
    }
  };
}
var _parse, parse, _parseAsync, parseAsync, _safeParse, safeParse, _safeParseAsync, safeParseAsync;
var init_parse = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/parse.js"() {
    init_core();
    init_errors3();
    init_util();
    _parse = (_Err) => {
      const fn = (schema, value, _ctx, _params) => {
        const ctx = _ctx ? { ..._ctx, async: false } : { async: false };
        const result = schema._zod.run({ value, issues: [] }, ctx);
        if (result instanceof Promise) {
          throw new $ZodAsyncError();
        }
        if (result.issues.length) {
          const e = new (_params?.Err ?? _Err)(result.issues.map((iss) => finalizeIssue(iss, ctx, config())));
          captureStackTrace(e, _params?.callee ?? fn);
          throw e;
        }
        return result.value;
      };
      return fn;
    };
    parse = /* @__PURE__ */ _parse($ZodRealError);
    _parseAsync = (_Err) => {
      const fn = async (schema, value, _ctx, params) => {
        const ctx = _ctx ? { ..._ctx, async: true } : { async: true };
        let result = schema._zod.run({ value, issues: [] }, ctx);
        if (result instanceof Promise)
          result = await result;
        if (result.issues.length) {
          const e = new (params?.Err ?? _Err)(result.issues.map((iss) => finalizeIssue(iss, ctx, config())));
          captureStackTrace(e, params?.callee ?? fn);
          throw e;
        }
        return result.value;
      };
      return fn;
    };
    parseAsync = /* @__PURE__ */ _parseAsync($ZodRealError);
    _safeParse = (_Err) => (schema, value, _ctx) => {
      const ctx = _ctx ? { ..._ctx, async: false } : { async: false };
      const result = schema._zod.run({ value, issues: [] }, ctx);
      if (result instanceof Promise) {
        throw new $ZodAsyncError();
      }
      return result.issues.length ? failure(_Err, result.issues, ctx) : { success: true, data: result.value };
    };
    safeParse = /* @__PURE__ */ _safeParse($ZodRealError);
    _safeParseAsync = (_Err) => async (schema, value, _ctx) => {
      const ctx = _ctx ? { ..._ctx, async: true } : { async: true };
      let result = schema._zod.run({ value, issues: [] }, ctx);
      if (result instanceof Promise)
        result = await result;
      return result.issues.length ? failure(_Err, result.issues, ctx) : { success: true, data: result.value };
    };
    safeParseAsync = /* @__PURE__ */ _safeParseAsync($ZodRealError);
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/regexes.js
var anyString, number;
var init_regexes = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/regexes.js"() {
    anyString = /^[\s\S]{0,}$/;
    number = /^-?\d+(?:\.\d+)?$/;
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/checks.js
var $ZodCheck, _whenHasLength, numericOriginMap, $ZodCheckLessThan, $ZodCheckGreaterThan, $ZodCheckNumberFormat, $ZodCheckMaxLength, $ZodCheckMinLength, $ZodCheckStringFormat, $ZodCheckRegex;
var init_checks = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/checks.js"() {
    init_core();
    init_util();
    $ZodCheck = /* @__PURE__ */ $constructor("$ZodCheck", (inst, def) => {
      var _a3;
      inst._zod ?? (inst._zod = {});
      inst._zod.def = def;
      (_a3 = inst._zod).onattach ?? (_a3.onattach = []);
    });
    _whenHasLength = (payload) => {
      const val = payload.value;
      return !nullish(val) && val.length !== void 0;
    };
    numericOriginMap = {
      number: "number",
      bigint: "bigint",
      object: "date"
    };
    $ZodCheckLessThan = /* @__PURE__ */ $constructor("$ZodCheckLessThan", (inst, def) => {
      $ZodCheck.init(inst, def);
      const origin = numericOriginMap[typeof def.value];
      inst._zod.check = (payload) => {
        if (def.inclusive ? payload.value <= def.value : payload.value < def.value) {
          return;
        }
        payload.issues.push({
          origin: numericOriginMap[typeof payload.value] ?? origin,
          code: "too_big",
          maximum: typeof def.value === "object" ? def.value.getTime() : def.value,
          input: payload.value,
          inclusive: def.inclusive,
          inst,
          continue: !def.abort
        });
      };
    });
    $ZodCheckGreaterThan = /* @__PURE__ */ $constructor("$ZodCheckGreaterThan", (inst, def) => {
      $ZodCheck.init(inst, def);
      const origin = numericOriginMap[typeof def.value];
      inst._zod.check = (payload) => {
        if (def.inclusive ? payload.value >= def.value : payload.value > def.value) {
          return;
        }
        payload.issues.push({
          origin: numericOriginMap[typeof payload.value] ?? origin,
          code: "too_small",
          minimum: typeof def.value === "object" ? def.value.getTime() : def.value,
          input: payload.value,
          inclusive: def.inclusive,
          inst,
          continue: !def.abort
        });
      };
    });
    $ZodCheckNumberFormat = /* @__PURE__ */ $constructor("$ZodCheckNumberFormat", (inst, def) => {
      $ZodCheck.init(inst, def);
      def.format = def.format || "float64";
      const isInt = def.format?.includes("int");
      const origin = isInt ? "int" : "number";
      const [minimum, maximum] = NUMBER_FORMAT_RANGES[def.format];
      inst._zod.check = (payload) => {
        const input = payload.value;
        if (isInt) {
          if (!Number.isInteger(input)) {
            payload.issues.push({
              expected: origin,
              format: def.format,
              code: "invalid_type",
              continue: false,
              input,
              inst
            });
            return;
          }
          if (!Number.isSafeInteger(input)) {
            if (input > 0) {
              payload.issues.push({
                input,
                code: "too_big",
                maximum: Number.MAX_SAFE_INTEGER,
                note: "Integers must be within the safe integer range.",
                inst,
                origin,
                inclusive: true,
                continue: !def.abort
              });
            } else {
              payload.issues.push({
                input,
                code: "too_small",
                minimum: Number.MIN_SAFE_INTEGER,
                note: "Integers must be within the safe integer range.",
                inst,
                origin,
                inclusive: true,
                continue: !def.abort
              });
            }
            return;
          }
        }
        if (input < minimum) {
          payload.issues.push({
            origin: "number",
            input,
            code: "too_small",
            minimum,
            inclusive: true,
            inst,
            continue: !def.abort
          });
        }
        if (input > maximum) {
          payload.issues.push({
            origin: "number",
            input,
            code: "too_big",
            maximum,
            inclusive: true,
            inst,
            continue: !def.abort
          });
        }
      };
    });
    $ZodCheckMaxLength = /* @__PURE__ */ $constructor("$ZodCheckMaxLength", (inst, def) => {
      var _a3;
      $ZodCheck.init(inst, def);
      (_a3 = inst._zod.def).when ?? (_a3.when = _whenHasLength);
      inst._zod.check = (payload) => {
        const input = payload.value;
        const units = input.length;
        const length = typeof input === "string" && units > def.maximum ? codePointLength(input) : units;
        if (length <= def.maximum)
          return;
        const origin = getLengthableOrigin(input);
        payload.issues.push({
          origin,
          code: "too_big",
          maximum: def.maximum,
          inclusive: true,
          input,
          inst,
          continue: !def.abort
        });
      };
    });
    $ZodCheckMinLength = /* @__PURE__ */ $constructor("$ZodCheckMinLength", (inst, def) => {
      var _a3;
      $ZodCheck.init(inst, def);
      (_a3 = inst._zod.def).when ?? (_a3.when = _whenHasLength);
      inst._zod.check = (payload) => {
        const input = payload.value;
        const units = input.length;
        const length = typeof input === "string" && units >= def.minimum && units < def.minimum * 2 ? codePointLength(input) : units;
        if (length >= def.minimum)
          return;
        const origin = getLengthableOrigin(input);
        payload.issues.push({
          origin,
          code: "too_small",
          minimum: def.minimum,
          inclusive: true,
          input,
          inst,
          continue: !def.abort
        });
      };
    });
    $ZodCheckStringFormat = /* @__PURE__ */ $constructor("$ZodCheckStringFormat", (inst, def) => {
      var _a3, _b;
      $ZodCheck.init(inst, def);
      if (def.pattern)
        (_a3 = inst._zod).check ?? (_a3.check = (payload) => {
          def.pattern.lastIndex = 0;
          if (def.pattern.test(payload.value))
            return;
          payload.issues.push({
            origin: "string",
            code: "invalid_format",
            format: def.format,
            input: payload.value,
            ...def.pattern ? { pattern: def.pattern.toString() } : {},
            inst,
            continue: !def.abort
          });
        });
      else
        (_b = inst._zod).check ?? (_b.check = () => {
        });
    });
    $ZodCheckRegex = /* @__PURE__ */ $constructor("$ZodCheckRegex", (inst, def) => {
      $ZodCheckStringFormat.init(inst, def);
      inst._zod.check = (payload) => {
        def.pattern.lastIndex = 0;
        if (def.pattern.test(payload.value))
          return;
        payload.issues.push({
          origin: "string",
          code: "invalid_format",
          format: "regex",
          input: payload.value,
          pattern: def.pattern.toString(),
          inst,
          continue: !def.abort
        });
      };
    });
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/doc.js
var init_doc = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/doc.js"() {
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/versions.js
var version;
var init_versions = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/versions.js"() {
    version = {
      major: 4,
      minor: 6,
      patch: 7
    };
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/schemas.js
async function validateAsync(inst, value) {
  const ctx = { async: true };
  return toStandardResult(await inst._zod.run({ value, issues: [] }, ctx), ctx);
}
function standardProps(inst) {
  return {
    validate: (value) => {
      const ctx = { async: false };
      try {
        const r = inst._zod.run({ value, issues: [] }, ctx);
        if (!(r instanceof Promise))
          return toStandardResult(r, ctx);
      } catch (_) {
      }
      return validateAsync(inst, value);
    },
    vendor: "zod",
    version: 1
  };
}
function capSize(inst, size) {
  const caps = sizeCaps(inst._zod.def.checks);
  if (!caps.length)
    return;
  const cap = Math.min(...caps.map((c) => c[0]));
  const parse2 = inst._zod.parse;
  inst._zod.parse = (payload, ctx) => {
    const n = size(payload.value);
    if (n > cap && !ctx?.skipChecks && ctx?.direction !== "backward") {
      for (const [max, ch] of sizeCaps(inst._zod.def.checks)) {
        if (n > max && ch._zod.def.when(payload)) {
          const start = payload.issues.length;
          ch._zod.check(payload);
          payload.issues[start].continue = false;
          attachSchema(payload.issues, start, inst);
          return payload;
        }
      }
    }
    return parse2(payload, ctx);
  };
}
function handleArrayResult(result, final, index) {
  if (result.issues.length) {
    final.issues.push(...prefixIssues(index, result.issues));
  }
  final.value[index] = result.value;
}
function handlePropertyResult(result, final, key, input, optin, optout) {
  const isPresent = key in input;
  const isOptionalOut = optout === "optional";
  if (!isPresent && isOptionalOut && optin === "optional") {
    return;
  }
  if (result.issues.length) {
    if (optin !== void 0 && isOptionalOut && !isPresent) {
      return;
    }
    final.issues.push(...prefixIssues(key, result.issues));
  }
  if (!isPresent && optin === void 0) {
    if (!result.issues.length) {
      final.issues.push({
        code: "invalid_type",
        expected: "nonoptional",
        input: void 0,
        path: [key]
      });
    }
    return;
  }
  if (result.value === void 0) {
    if (isPresent || optin === "defaulted" && !isOptionalOut) {
      final.value[key] = void 0;
    }
  } else {
    final.value[key] = result.value;
  }
}
function normalizeDef(def) {
  const keys = Object.keys(def.shape);
  const ownSymbols = Object.getOwnPropertySymbols(def.shape);
  const symbolKeys = ownSymbols.length ? ownSymbols : NO_SYMBOL_KEYS;
  const allKeys = symbolKeys.length ? [...keys, ...symbolKeys] : keys;
  for (const k of allKeys) {
    if (!def.shape?.[k]?._zod?.traits?.has("$ZodType")) {
      throw new Error(`Invalid element at key "${String(k)}": expected a Zod schema`);
    }
  }
  const okeys = optionalKeys(def.shape);
  return {
    ...def,
    allKeys,
    symbolKeys,
    // string-only: handleCatchall matches it against `for...in`, which never yields a symbol
    keySet: new Set(keys),
    numKeys: keys.length,
    optionalKeys: new Set(okeys)
  };
}
function handleCatchall(proms, input, payload, ctx, def, inst, abortEarly) {
  const unrecognized = [];
  const keySet = def.keySet;
  const _catchall = def.catchall._zod;
  const t = _catchall.def.type;
  const optin = _catchall.optin;
  const optout = _catchall.optout;
  let seen = 0;
  for (const key in input) {
    if (abortEarly && payload.issues.length !== seen) {
      if (aborted(payload, seen))
        break;
      seen = payload.issues.length;
    }
    if (keySet.has(key))
      continue;
    if (key === "__proto__") {
      if (t === "never")
        unrecognized.push(key);
      continue;
    }
    if (t === "never") {
      unrecognized.push(key);
      continue;
    }
    const r = _catchall.run({ value: input[key], issues: [] }, ctx);
    if (r instanceof Promise) {
      proms.push(r.then((r2) => handlePropertyResult(r2, payload, key, input, optin, optout)));
    } else {
      handlePropertyResult(r, payload, key, input, optin, optout);
    }
  }
  if (unrecognized.length) {
    payload.issues.push({
      code: "unrecognized_keys",
      keys: unrecognized,
      input,
      inst,
      // Describes the shape of the input, not the validity of the parsed value, so it never aborts. The parse still fails; the schema's own checks just get to run first, and an enclosing intersection can reconcile the key against a sibling operand.
      continue: true
    });
  }
  if (!proms.length)
    return payload;
  return Promise.all(proms).then(() => {
    return payload;
  });
}
function handleUnionResults(results, final, inst, ctx) {
  for (const result of results) {
    if (result.issues.length === 0) {
      final.value = result.value;
      return final;
    }
  }
  const nonaborted = results.filter((r) => !aborted(r));
  if (nonaborted.length === 1) {
    final.value = nonaborted[0].value;
    return nonaborted[0];
  }
  final.issues.push({
    code: "invalid_union",
    input: final.value,
    inst,
    errors: results.map((result) => result.issues.map((iss) => finalizeIssue(iss, ctx, config())))
  });
  return final;
}
function handleOptionalResult(payload, result) {
  payload.value = result.issues.length ? void 0 : result.value;
  return payload;
}
function handleRefineResult(result, payload, input, inst) {
  if (!result) {
    const _iss = {
      code: "custom",
      input,
      inst,
      // incorporates params.error into issue reporting
      path: [...inst._zod.def.path ?? []],
      // incorporates params.error into issue reporting
      continue: !inst._zod.def.abort
      // params: inst._zod.def.params,
    };
    if (inst._zod.def.params)
      _iss.params = inst._zod.def.params;
    payload.issues.push(issue(_iss));
  }
}
var $ZodType, toStandardResult, $ZodString, $ZodNumber, $ZodNumberFormat, $ZodNever, arraySize, $ZodArray, NO_SYMBOL_KEYS, $ZodObject, $ZodUnion, $ZodRecord, $ZodOptional, $ZodCustom;
var init_schemas = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/schemas.js"() {
    init_checks();
    init_core();
    init_regexes();
    init_util();
    init_versions();
    init_util();
    $ZodType = /* @__PURE__ */ $constructor("$ZodType", (inst, def) => {
      var _a3;
      inst ?? (inst = {});
      inst._zod.def = def;
      inst._zod.bag = inst._zod.bag || {};
      inst._zod.version = version;
      const defChecks = inst._zod.def.checks;
      const checks = inst._zod.traits.has("$ZodCheck") ? [inst, ...defChecks ?? []] : defChecks?.length ? [...defChecks] : [];
      for (const ch of checks) {
        for (const fn of ch._zod.onattach) {
          fn(inst);
        }
      }
      if (checks.length === 0) {
        (_a3 = inst._zod).deferred ?? (_a3.deferred = []);
        inst._zod.deferred?.push(() => {
          inst._zod.run = inst._zod.parse;
        });
      } else {
        const runChecks = (payload, checks2, ctx) => {
          if (payload.memo)
            return payload;
          let isAborted = aborted(payload);
          let asyncResult;
          for (const ch of checks2) {
            if (ch._zod.def.when) {
              if (explicitlyAborted(payload))
                continue;
              const shouldRun = ch._zod.def.when(payload);
              if (!shouldRun)
                continue;
            } else if (isAborted) {
              continue;
            }
            const currLen = payload.issues.length;
            const _ = ch._zod.check(payload);
            if (_ instanceof Promise && ctx?.async === false) {
              throw new $ZodAsyncError();
            }
            if (asyncResult || _ instanceof Promise) {
              asyncResult = (asyncResult ?? Promise.resolve()).then(async () => {
                await _;
                const nextLen = payload.issues.length;
                if (nextLen === currLen)
                  return;
                attachSchema(payload.issues, currLen, inst);
                if (!isAborted)
                  isAborted = aborted(payload, currLen);
              });
            } else {
              const nextLen = payload.issues.length;
              if (nextLen === currLen)
                continue;
              attachSchema(payload.issues, currLen, inst);
              if (!isAborted)
                isAborted = aborted(payload, currLen);
            }
          }
          if (asyncResult) {
            return asyncResult.then(() => {
              return payload;
            });
          }
          return payload;
        };
        const handleCanaryResult = (canary, payload, ctx) => {
          if (aborted(canary)) {
            canary.aborted = true;
            return canary;
          }
          const checkResult = runChecks(payload, checks, ctx);
          if (checkResult instanceof Promise) {
            if (ctx.async === false)
              throw new $ZodAsyncError();
            return checkResult.then((checkResult2) => inst._zod.parse(checkResult2, ctx));
          }
          return inst._zod.parse(checkResult, ctx);
        };
        inst._zod.run = (payload, ctx) => {
          if (ctx.skipChecks) {
            return inst._zod.parse(payload, ctx);
          }
          if (ctx.direction === "backward") {
            const canary = inst._zod.parse({ value: payload.value, issues: [] }, { ...ctx, skipChecks: true });
            if (canary instanceof Promise) {
              return canary.then((canary2) => {
                return handleCanaryResult(canary2, payload, ctx);
              });
            }
            return handleCanaryResult(canary, payload, ctx);
          }
          const result = inst._zod.parse(payload, ctx);
          if (result instanceof Promise) {
            if (ctx.async === false)
              throw new $ZodAsyncError();
            return result.then((result2) => runChecks(result2, checks, ctx));
          }
          return runChecks(result, checks, ctx);
        };
      }
    }, {
      // Wrappers extend this by installing a richer factory over it; reading it eagerly would defeat the laziness.
      get "~standard"() {
        return hide(this, "~standard", standardProps(this));
      },
      set "~standard"(value) {
        own(this, "~standard", value);
      }
    });
    toStandardResult = (r, ctx) => r.issues.length ? { issues: r.issues.map((iss) => finalizeIssue(iss, ctx, config())) } : { value: r.value };
    $ZodString = /* @__PURE__ */ $constructor("$ZodString", (inst, def) => {
      $ZodType.init(inst, def);
      inst._zod.pattern = def.pattern ?? anyString;
      inst._zod.parse = (payload, _) => {
        if (def.coerce)
          try {
            payload.value = String(payload.value);
          } catch (_2) {
          }
        if (typeof payload.value === "string")
          return payload;
        payload.issues.push({
          expected: "string",
          code: "invalid_type",
          input: payload.value,
          inst
        });
        return payload;
      };
    });
    $ZodNumber = /* @__PURE__ */ $constructor("$ZodNumber", (inst, def) => {
      $ZodType.init(inst, def);
      inst._zod.pattern = number;
      inst._zod.parse = (payload, _ctx) => {
        if (def.coerce)
          try {
            payload.value = Number(payload.value);
          } catch (_) {
          }
        const input = payload.value;
        if (typeof input === "number" && !Number.isNaN(input) && Number.isFinite(input)) {
          return payload;
        }
        const received = typeof input === "number" ? Number.isNaN(input) ? "NaN" : !Number.isFinite(input) ? String(input) : void 0 : void 0;
        payload.issues.push({
          expected: "number",
          code: "invalid_type",
          input,
          inst,
          ...received ? { received } : {}
        });
        return payload;
      };
    });
    $ZodNumberFormat = /* @__PURE__ */ $constructor("$ZodNumberFormat", (inst, def) => {
      $ZodCheckNumberFormat.init(inst, def);
      $ZodNumber.init(inst, def);
    });
    $ZodNever = /* @__PURE__ */ $constructor("$ZodNever", (inst, def) => {
      $ZodType.init(inst, def);
      inst._zod.parse = (payload, _ctx) => {
        payload.issues.push({
          expected: "never",
          code: "invalid_type",
          input: payload.value,
          inst
        });
        return payload;
      };
    });
    arraySize = (input) => Array.isArray(input) ? input.length : -1;
    $ZodArray = /* @__PURE__ */ $constructor("$ZodArray", (inst, def) => {
      $ZodType.init(inst, def);
      const memo = globalConfig.memoizer;
      memo?.attach(inst);
      inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        if (!Array.isArray(input)) {
          payload.issues.push({
            expected: "array",
            code: "invalid_type",
            input,
            inst
          });
          return payload;
        }
        payload.value = memo ? memo.alloc(inst, payload, Array(input.length), ctx) : Array(input.length);
        const proms = [];
        const abortEarly = ctx?.abortEarly;
        for (let i = 0; i < input.length; i++) {
          const item = input[i];
          const result = def.element._zod.run({
            value: item,
            issues: []
          }, ctx);
          if (result instanceof Promise) {
            proms.push(result.then((result2) => handleArrayResult(result2, payload, i)));
          } else {
            handleArrayResult(result, payload, i);
            if (abortEarly && result.issues.length !== 0 && aborted(result))
              break;
          }
        }
        if (proms.length) {
          return Promise.all(proms).then(() => payload);
        }
        return payload;
      };
      capSize(inst, arraySize);
    });
    NO_SYMBOL_KEYS = [];
    $ZodObject = /* @__PURE__ */ $constructor("$ZodObject", (inst, def) => {
      $ZodType.init(inst, def);
      const desc = Object.getOwnPropertyDescriptor(def, "shape");
      const sh = desc?.get ? desc.get.raw : def.shape ?? {};
      if (sh) {
        const get = () => {
          const newSh = { ...sh };
          Object.defineProperty(def, "shape", { value: newSh });
          get.raw = newSh;
          return newSh;
        };
        get.raw = sh;
        Object.defineProperty(def, "shape", { get });
      }
      const _normalized = cached2(() => normalizeDef(def));
      defineLazyInternal(inst, "propValues", (zod) => {
        const shape = zod.def.shape;
        const propValues = {};
        for (const key in shape) {
          const field = shape[key]._zod;
          if (field.values) {
            if (!Object.prototype.hasOwnProperty.call(propValues, key)) {
              assignProp(propValues, key, /* @__PURE__ */ new Set());
            }
            for (const v of field.values)
              propValues[key].add(v);
            if (field.optin !== void 0)
              propValues[key].add(void 0);
          }
        }
        return propValues;
      });
      const isObject2 = isObject;
      const catchall = def.catchall;
      let value;
      const memo = globalConfig.memoizer;
      memo?.attach(inst);
      inst._zod.parse = (payload, ctx) => {
        value ?? (value = _normalized.value);
        const input = payload.value;
        if (!isObject2(input)) {
          payload.issues.push({
            expected: "object",
            code: "invalid_type",
            input,
            inst
          });
          return payload;
        }
        payload.value = memo ? memo.alloc(inst, payload, {}, ctx) : {};
        const proms = [];
        const shape = value.shape;
        const abortEarly = ctx?.abortEarly;
        let seen = payload.issues.length;
        for (const key of value.allKeys) {
          if (abortEarly && payload.issues.length !== seen) {
            if (aborted(payload, seen))
              break;
            seen = payload.issues.length;
          }
          if (key === "__proto__")
            continue;
          const el = shape[key];
          const optin = el._zod.optin;
          const optout = el._zod.optout;
          const r = el._zod.run({ value: input[key], issues: [] }, ctx);
          if (r instanceof Promise) {
            proms.push(r.then((r2) => handlePropertyResult(r2, payload, key, input, optin, optout)));
          } else {
            handlePropertyResult(r, payload, key, input, optin, optout);
          }
        }
        if (!catchall) {
          return proms.length ? Promise.all(proms).then(() => payload) : payload;
        }
        return handleCatchall(proms, input, payload, ctx, _normalized.value, inst, abortEarly === true);
      };
    });
    $ZodUnion = /* @__PURE__ */ $constructor("$ZodUnion", (inst, def) => {
      $ZodType.init(inst, def);
      defineLazyInternal(inst, "optin", (zod) => zod.def.options.some((o) => o._zod.optin === "defaulted") ? "defaulted" : zod.def.options.some((o) => o._zod.optin !== void 0) ? "optional" : void 0);
      defineLazyInternal(inst, "optout", (zod) => zod.def.options.some((o) => o._zod.optout === "optional") ? "optional" : void 0);
      defineLazyInternal(inst, "values", (zod) => {
        if (zod.def.options.every((o) => o._zod.values)) {
          return new Set(zod.def.options.flatMap((option) => Array.from(option._zod.values)));
        }
        return void 0;
      });
      defineLazyInternal(inst, "pattern", (zod) => {
        if (zod.def.options.every((o) => o._zod.pattern)) {
          const patterns = zod.def.options.map((o) => o._zod.pattern);
          return new RegExp(`^(${patterns.map((p) => cleanRegex(p.source)).join("|")})$`);
        }
        return void 0;
      });
      const first = def.options.length === 1 ? def.options[0]._zod.run : null;
      inst._zod.parse = (payload, ctx) => {
        if (first) {
          return first(payload, ctx);
        }
        let async = false;
        const results = [];
        for (const option of def.options) {
          const result = option._zod.run({
            value: payload.value,
            issues: []
          }, ctx);
          if (result instanceof Promise) {
            results.push(result);
            async = true;
          } else {
            if (result.issues.length === 0)
              return result;
            results.push(result);
          }
        }
        if (!async)
          return handleUnionResults(results, payload, inst, ctx);
        return Promise.all(results).then((results2) => {
          return handleUnionResults(results2, payload, inst, ctx);
        });
      };
    });
    $ZodRecord = /* @__PURE__ */ $constructor("$ZodRecord", (inst, def) => {
      $ZodType.init(inst, def);
      const memo = globalConfig.memoizer;
      memo?.attach(inst);
      inst._zod.parse = (payload, ctx) => {
        const input = payload.value;
        if (!isPlainObject(input)) {
          payload.issues.push({
            expected: "record",
            code: "invalid_type",
            input,
            inst
          });
          return payload;
        }
        const proms = [];
        const values = def.keyType._zod.values;
        if (values && !def.partial) {
          payload.value = memo ? memo.alloc(inst, payload, {}, ctx) : {};
          const recordKeys = /* @__PURE__ */ new Set();
          for (const key of values) {
            if (typeof key === "string" || typeof key === "number" || typeof key === "symbol") {
              recordKeys.add(typeof key === "number" ? key.toString() : key);
              if (key === "__proto__")
                continue;
              const keyResult = def.keyType._zod.run({ value: key, issues: [] }, ctx);
              if (keyResult instanceof Promise) {
                throw new Error("Async schemas not supported in object keys currently");
              }
              if (keyResult.issues.length) {
                payload.issues.push({
                  code: "invalid_key",
                  origin: "record",
                  issues: keyResult.issues.map((iss) => finalizeIssue(iss, ctx, config())),
                  input: key,
                  path: [key],
                  inst
                });
                continue;
              }
              const outKey = keyResult.value;
              if (outKey === "__proto__")
                continue;
              const result = def.valueType._zod.run({ value: input[key], issues: [] }, ctx);
              if (result instanceof Promise) {
                proms.push(result.then((result2) => {
                  if (result2.issues.length) {
                    payload.issues.push(...prefixIssues(key, result2.issues));
                  }
                  payload.value[outKey] = result2.value;
                }));
              } else {
                if (result.issues.length) {
                  payload.issues.push(...prefixIssues(key, result.issues));
                }
                payload.value[outKey] = result.value;
              }
            }
          }
          let unrecognized;
          for (const key in input) {
            if (!recordKeys.has(key)) {
              if (def.mode === "loose") {
                if (key === "__proto__")
                  continue;
                payload.value[key] = input[key];
              } else {
                unrecognized = unrecognized ?? [];
                unrecognized.push(key);
              }
            }
          }
          if (unrecognized && unrecognized.length > 0) {
            payload.issues.push({
              code: "unrecognized_keys",
              input,
              inst,
              keys: unrecognized,
              continue: true
            });
          }
        } else {
          payload.value = memo ? memo.alloc(inst, payload, {}, ctx) : {};
          let unrecognized;
          for (const key of Reflect.ownKeys(input)) {
            if (key === "__proto__")
              continue;
            if (!Object.prototype.propertyIsEnumerable.call(input, key))
              continue;
            let keyResult = def.keyType._zod.run({ value: key, issues: [] }, ctx);
            if (keyResult instanceof Promise) {
              throw new Error("Async schemas not supported in object keys currently");
            }
            const checkNumericKey = typeof key === "string" && number.test(key) && keyResult.issues.length;
            if (checkNumericKey) {
              const retryResult = def.keyType._zod.run({ value: Number(key), issues: [] }, ctx);
              if (retryResult instanceof Promise) {
                throw new Error("Async schemas not supported in object keys currently");
              }
              if (retryResult.issues.length === 0) {
                keyResult = retryResult;
              }
            }
            if (keyResult.issues.length) {
              if (def.mode === "loose") {
                payload.value[key] = input[key];
              } else if (values) {
                unrecognized = unrecognized ?? [];
                unrecognized.push(key);
              } else {
                payload.issues.push({
                  code: "invalid_key",
                  origin: "record",
                  issues: keyResult.issues.map((iss) => finalizeIssue(iss, ctx, config())),
                  input: key,
                  path: [key],
                  inst
                });
              }
              continue;
            }
            const outKey = keyResult.value;
            if (outKey === "__proto__")
              continue;
            const result = def.valueType._zod.run({ value: input[key], issues: [] }, ctx);
            if (result instanceof Promise) {
              proms.push(result.then((result2) => {
                if (result2.issues.length) {
                  payload.issues.push(...prefixIssues(key, result2.issues));
                }
                payload.value[outKey] = result2.value;
              }));
            } else {
              if (result.issues.length) {
                payload.issues.push(...prefixIssues(key, result.issues));
              }
              payload.value[outKey] = result.value;
            }
          }
          if (unrecognized && unrecognized.length > 0) {
            payload.issues.push({
              code: "unrecognized_keys",
              input,
              inst,
              keys: unrecognized,
              continue: true
            });
          }
        }
        if (proms.length) {
          return Promise.all(proms).then(() => payload);
        }
        return payload;
      };
    });
    $ZodOptional = /* @__PURE__ */ $constructor("$ZodOptional", (inst, def) => {
      $ZodType.init(inst, def);
      defineLazyInternal(inst, "optin", (zod) => zod.def.innerType._zod.optin === "defaulted" ? "defaulted" : "optional");
      inst._zod.optout = "optional";
      defineLazyInternal(inst, "values", (zod) => {
        const values = zod.def.innerType._zod.values;
        return values ? /* @__PURE__ */ new Set([...values, void 0]) : void 0;
      });
      defineLazyInternal(inst, "pattern", (zod) => {
        const pattern = zod.def.innerType._zod.pattern;
        return pattern ? new RegExp(`^(${cleanRegex(pattern.source)})?$`) : void 0;
      });
      inst._zod.parse = (payload, ctx) => {
        if (payload.value === void 0) {
          if (def.innerType._zod.optin !== "defaulted")
            return payload;
          const result = def.innerType._zod.run({ value: payload.value, issues: [] }, ctx);
          if (result instanceof Promise)
            return result.then((result2) => handleOptionalResult(payload, result2));
          return handleOptionalResult(payload, result);
        }
        return def.innerType._zod.run(payload, ctx);
      };
    });
    $ZodCustom = /* @__PURE__ */ $constructor("$ZodCustom", (inst, def) => {
      $ZodCheck.init(inst, def);
      $ZodType.init(inst, def);
      inst._zod.parse = (payload, _) => {
        return payload;
      };
      inst._zod.check = (payload) => {
        const input = payload.value;
        const r = def.fn(input);
        if (r instanceof Promise) {
          return r.then((r2) => handleRefineResult(r2, payload, input, inst));
        }
        handleRefineResult(r, payload, input, inst);
        return;
      };
    });
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/memoizer.js
var init_memoizer = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/memoizer.js"() {
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/locales/index.js
var init_locales = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/locales/index.js"() {
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/registries.js
function registry() {
  return new $ZodRegistry();
}
var _a2, $ZodRegistry, globalRegistry;
var init_registries = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/registries.js"() {
    $ZodRegistry = class {
      constructor() {
        this._map = /* @__PURE__ */ new WeakMap();
        this._idmap = /* @__PURE__ */ new Map();
      }
      add(schema, ..._meta) {
        const meta2 = _meta[0];
        this._map.set(schema, meta2);
        if (meta2 && typeof meta2 === "object" && "id" in meta2) {
          this._idmap.set(meta2.id, schema);
        }
        return this;
      }
      clear() {
        this._map = /* @__PURE__ */ new WeakMap();
        this._idmap = /* @__PURE__ */ new Map();
        return this;
      }
      remove(schema) {
        const meta2 = this._map.get(schema);
        if (meta2 && typeof meta2 === "object" && "id" in meta2) {
          this._idmap.delete(meta2.id);
        }
        this._map.delete(schema);
        return this;
      }
      get(schema) {
        const p = schema._zod.parent;
        if (p) {
          const pm = { ...this.get(p) ?? {} };
          delete pm.id;
          const f = { ...pm, ...this._map.get(schema) };
          return Object.keys(f).length ? f : void 0;
        }
        return this._map.get(schema);
      }
      has(schema) {
        return this._map.has(schema);
      }
    };
    (_a2 = globalThis).__zod_globalRegistry ?? (_a2.__zod_globalRegistry = registry());
    globalRegistry = globalThis.__zod_globalRegistry;
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/compile.js
var init_compile = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/compile.js"() {
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/api.js
function snapshotChecks(def) {
  if (def.checks)
    def.checks = [...def.checks];
  return def;
}
// @__NO_SIDE_EFFECTS__
function _string(Class, params) {
  return new Class(snapshotChecks({ type: "string", ...normalizeParams(params) }));
}
// @__NO_SIDE_EFFECTS__
function _int(Class, params) {
  return new Class({
    type: "number",
    check: "number_format",
    abort: false,
    format: "safeint",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _never(Class, params) {
  return new Class({
    type: "never",
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function _lte(value, params) {
  return new $ZodCheckLessThan({
    check: "less_than",
    ...normalizeParams(params),
    value,
    inclusive: true
  });
}
// @__NO_SIDE_EFFECTS__
function _gte(value, params) {
  return new $ZodCheckGreaterThan({
    check: "greater_than",
    ...normalizeParams(params),
    value,
    inclusive: true
  });
}
// @__NO_SIDE_EFFECTS__
function _maxLength(maximum, params) {
  const ch = new $ZodCheckMaxLength({
    check: "max_length",
    ...normalizeParams(params),
    maximum
  });
  return ch;
}
// @__NO_SIDE_EFFECTS__
function _minLength(minimum, params) {
  return new $ZodCheckMinLength({
    check: "min_length",
    ...normalizeParams(params),
    minimum
  });
}
// @__NO_SIDE_EFFECTS__
function _regex(pattern, params) {
  return new $ZodCheckRegex({
    check: "string_format",
    format: "regex",
    ...normalizeParams(params),
    pattern
  });
}
// @__NO_SIDE_EFFECTS__
function _refine(Class, fn, _params) {
  const schema = new Class({
    type: "custom",
    check: "custom",
    fn,
    ...normalizeParams(_params)
  });
  return schema;
}
var init_api = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/api.js"() {
    init_checks();
    init_util();
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/to-json-schema.js
var init_to_json_schema = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/to-json-schema.js"() {
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/json-schema.js
var init_json_schema = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/json-schema.js"() {
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/index.js
var init_core2 = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/index.js"() {
    init_core();
    init_parse();
    init_errors3();
    init_schemas();
    init_memoizer();
    init_checks();
    init_versions();
    init_util();
    init_regexes();
    init_locales();
    init_registries();
    init_doc();
    init_compile();
    init_api();
    init_to_json_schema();
    init_json_schema();
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/mini/parse.js
var init_parse2 = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/mini/parse.js"() {
    init_core2();
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/mini/schemas.js
// @__NO_SIDE_EFFECTS__
function string2(params) {
  return _string(ZodMiniString, params);
}
function int(params) {
  return _int(ZodMiniNumberFormat, params);
}
// @__NO_SIDE_EFFECTS__
function never(params) {
  return _never(ZodMiniNever, params);
}
// @__NO_SIDE_EFFECTS__
function array(element, params) {
  return new ZodMiniArray({
    type: "array",
    element,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function strictObject(shape, params) {
  return new ZodMiniObject({
    type: "object",
    shape,
    catchall: /* @__PURE__ */ never(),
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function union(options, params) {
  return new ZodMiniUnion({
    type: "union",
    options,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function record(keyType, valueType, params) {
  if (!valueType || !valueType._zod) {
    return new ZodMiniRecord({
      type: "record",
      keyType: /* @__PURE__ */ string2(),
      valueType: keyType,
      ...normalizeParams(valueType)
    });
  }
  return new ZodMiniRecord({
    type: "record",
    keyType,
    valueType,
    ...normalizeParams(params)
  });
}
// @__NO_SIDE_EFFECTS__
function optional(innerType) {
  return new ZodMiniOptional({
    type: "optional",
    innerType
  });
}
// @__NO_SIDE_EFFECTS__
function refine(fn, _params = {}) {
  return _refine(ZodMiniCustom, fn, _params);
}
var ZodMiniType, ZodMiniString, ZodMiniNumber, ZodMiniNumberFormat, ZodMiniNever, ZodMiniArray, ZodMiniObject, ZodMiniUnion, ZodMiniRecord, ZodMiniOptional, ZodMiniCustom;
var init_schemas2 = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/mini/schemas.js"() {
    init_core2();
    init_util();
    init_parse2();
    ZodMiniType = /* @__PURE__ */ $constructor("ZodMiniType", (inst, def) => {
      if (!inst._zod)
        throw new Error("Uninitialized schema in ZodMiniType.");
      $ZodType.init(inst, def);
      inst.def = def;
      inst.type = def.type;
    }, {
      // `with` is an alias for `check`: the same function object, not a wrapper.
      get with() {
        return this.check;
      },
      set with(value) {
        own(this, "with", value);
      },
      parse(data, params) {
        return parse(this, data, params, { callee: this.parse });
      },
      parseAsync(data, params) {
        return parseAsync(this, data, params, { callee: this.parseAsync });
      },
      safeParse(data, params) {
        return safeParse(this, data, params);
      },
      safeParseAsync(data, params) {
        return safeParseAsync(this, data, params);
      },
      check(...checks) {
        const def = this.def;
        return this.clone({
          ...def,
          checks: [
            ...def.checks ?? [],
            ...checks.map((ch) => typeof ch === "function" ? { _zod: { check: ch, def: { check: "custom" }, onattach: [] } } : ch)
          ]
        }, { parent: true });
      },
      clone(_def, params) {
        return clone(this, _def, params);
      },
      brand() {
        return this;
      },
      register(reg, meta2) {
        reg.add(this, meta2);
        return this;
      },
      apply(fn, ...args) {
        return args.length === 0 ? fn(this) : fn(this, ...args);
      }
    });
    ZodMiniString = /* @__PURE__ */ $constructor("ZodMiniString", (inst, def) => {
      $ZodString.init(inst, def);
      ZodMiniType.init(inst, def);
    });
    ZodMiniNumber = /* @__PURE__ */ $constructor("ZodMiniNumber", (inst, def) => {
      $ZodNumber.init(inst, def);
      ZodMiniType.init(inst, def);
    });
    ZodMiniNumberFormat = /* @__PURE__ */ $constructor("ZodMiniNumberFormat", (inst, def) => {
      $ZodNumberFormat.init(inst, def);
      ZodMiniNumber.init(inst, def);
    });
    ZodMiniNever = /* @__PURE__ */ $constructor("ZodMiniNever", (inst, def) => {
      $ZodNever.init(inst, def);
      ZodMiniType.init(inst, def);
    });
    ZodMiniArray = /* @__PURE__ */ $constructor("ZodMiniArray", (inst, def) => {
      $ZodArray.init(inst, def);
      ZodMiniType.init(inst, def);
    });
    ZodMiniObject = /* @__PURE__ */ $constructor("ZodMiniObject", (inst, def) => {
      $ZodObject.init(inst, def);
      ZodMiniType.init(inst, def);
      installLazyProp(inst, "shape", (self) => self._zod.def.shape, false);
    });
    ZodMiniUnion = /* @__PURE__ */ $constructor("ZodMiniUnion", (inst, def) => {
      $ZodUnion.init(inst, def);
      ZodMiniType.init(inst, def);
    });
    ZodMiniRecord = /* @__PURE__ */ $constructor("ZodMiniRecord", (inst, def) => {
      $ZodRecord.init(inst, def);
      ZodMiniType.init(inst, def);
    });
    ZodMiniOptional = /* @__PURE__ */ $constructor("ZodMiniOptional", (inst, def) => {
      $ZodOptional.init(inst, def);
      ZodMiniType.init(inst, def);
    });
    ZodMiniCustom = /* @__PURE__ */ $constructor("ZodMiniCustom", (inst, def) => {
      $ZodCustom.init(inst, def);
      ZodMiniType.init(inst, def);
    });
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/mini/checks.js
var init_checks2 = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/mini/checks.js"() {
    init_core2();
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/mini/iso.js
var init_iso = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/mini/iso.js"() {
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/mini/coerce.js
var init_coerce = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/mini/coerce.js"() {
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/mini/external.js
var init_external = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/mini/external.js"() {
    init_core2();
    init_parse2();
    init_schemas2();
    init_checks2();
    init_locales();
    init_iso();
    init_coerce();
  }
});

// node_modules/.pnpm/zod@4.6.7/node_modules/zod/mini/index.js
var init_mini = __esm({
  "node_modules/.pnpm/zod@4.6.7/node_modules/zod/mini/index.js"() {
    init_external();
  }
});

// packages/spa-protocol/src/config/client-profile.ts
var client_profile_exports = {};
__export(client_profile_exports, {
  PROFILE_ERROR_CODES: () => PROFILE_ERROR_CODES,
  ProfileError: () => ProfileError,
  clientProfileSchema: () => clientProfileSchema,
  formatPath: () => formatPath,
  parseClientProfile: () => parseClientProfile
});
function parseClientProfile(value) {
  const result = clientProfileSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues.find((i) => i.code === "unrecognized_keys") ?? issues[0];
  if (!first) throw new ProfileError("", "invalid profile", { cause: result.error });
  const { issue: issue3, path } = innermost(first, []);
  if (issue3.code === "unrecognized_keys") {
    throw new ProfileError(formatPath([...path, issue3.keys[0] ?? ""]), "unknown field", {
      cause: result.error
    });
  }
  throw new ProfileError(formatPath(path), issue3.message, { cause: result.error });
}
function innermost(issue3, prefix) {
  const path = [...prefix, ...issue3.path];
  if (issue3.code === "invalid_key") {
    const inner2 = issue3.issues[0];
    return inner2 ? { issue: { ...inner2, path: [] }, path } : { issue: issue3, path };
  }
  if (issue3.code !== "invalid_union") return { issue: issue3, path };
  const typed = issue3.errors.filter(
    (branch) => !(branch[0]?.code === "invalid_type" && branch[0].path.length === 0)
  );
  const inner = typed.length === 1 ? typed[0][0] : void 0;
  return inner ? innermost(inner, path) : { issue: issue3, path };
}
function formatPath(path) {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_$][\w$-]*$/.test(segment)) {
      out += out === "" ? segment : `.${segment}`;
    } else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
var MAX_ADDRESSES2, MAX_ACCESS, MAX_DISCOVERY_SOURCES2, STUN_TARGET, HTTPS_URL, isServerKey, isPortAccess, isAddress, isDiscoverySource, isAllowIpMode, eachToken, text, matching, integer2, hostName, PORT_ACCESS, DISCOVERY_SOURCE, ALLOW_IP_MODE, SERVICE_NAME2, hostProfile, clientProfileSchema, PROFILE_ERROR_CODES, ProfileError;
var init_client_profile = __esm({
  "packages/spa-protocol/src/config/client-profile.ts"() {
    "use strict";
    init_mini();
    init_address();
    init_constants();
    init_encoding();
    init_request();
    MAX_ADDRESSES2 = 8;
    MAX_ACCESS = 16;
    MAX_DISCOVERY_SOURCES2 = 4;
    STUN_TARGET = /^stun=(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;
    HTTPS_URL = /^https:\/\/[\x21-\x7e]{1,2000}$/;
    isServerKey = (text2) => text2.startsWith(SERVER_PUBLIC_PREFIX) && decodeBase64url(text2.slice(SERVER_PUBLIC_PREFIX.length), 32) !== void 0;
    isPortAccess = (text2) => parseAccess(text2)?.type === "tcp" || parseAccess(text2)?.type === "udp";
    isAddress = (text2) => parseAddress(text2) !== void 0;
    isDiscoverySource = (text2) => STUN_TARGET.test(text2) || HTTPS_URL.test(text2);
    isAllowIpMode = (text2) => text2 === "source" || text2 === "auto" || isDiscoverySource(text2) || isAddress(text2);
    eachToken = (test) => (text2) => text2.split(",").every((t) => test(t.trim()));
    text = (min, max, what) => string2({ error: `expected ${what}` }).check(
      _minLength(min, { error: `expected ${what}` }),
      _maxLength(max, { error: `at most ${max} characters` })
    );
    matching = (test, what) => string2({ error: `expected ${what}` }).check(refine(test, { error: `expected ${what}` }));
    integer2 = (min, max, what) => int({ error: `expected ${what}` }).check(_gte(min, { error: `expected ${what}` }), _lte(max, { error: `expected ${what}` }));
    hostName = text(1, 253, "a DNS name or an IP address").check(
      _regex(/^[A-Za-z0-9.:_-]+$/, { error: "expected a DNS name or an IP address" })
    );
    PORT_ACCESS = '"tcp/PORT" or "udp/PORT"';
    DISCOVERY_SOURCE = "https://URL or stun=HOST:PORT";
    ALLOW_IP_MODE = "source, auto, stun=HOST:PORT, https://URL or an IP address";
    SERVICE_NAME2 = "a service name ([a-z0-9][a-z0-9_-]*, at most 32 characters)";
    hostProfile = strictObject(
      {
        host: optional(hostName),
        port: optional(integer2(1, 65535, "a port number 1-65535")),
        serverKey: matching(isServerKey, `a server public key "${SERVER_PUBLIC_PREFIX}\u2026"`),
        keyFile: optional(text(1, 4096, "a key file path")),
        services: optional(
          union(
            [
              record(
                matching(isServiceName, SERVICE_NAME2),
                // As in the server's config: one port, or a list of them.
                union(
                  [
                    matching(isPortAccess, PORT_ACCESS),
                    array(matching(isPortAccess, PORT_ACCESS)).check(
                      _minLength(1, { error: `expected at least one ${PORT_ACCESS}` }),
                      _maxLength(MAX_ACCESS, { error: `at most ${MAX_ACCESS} ports` })
                    )
                  ],
                  { error: `expected ${PORT_ACCESS} or a list of them` }
                )
              ).check(
                refine((m) => Object.keys(m).length <= MAX_ACCESS, {
                  error: `at most ${MAX_ACCESS} services`
                })
              ),
              array(matching((s) => parseAccess(s) !== void 0, "a service name, tcp/PORT or udp/PORT")).check(_maxLength(MAX_ACCESS, { error: `at most ${MAX_ACCESS} entries` }))
            ],
            { error: `expected {"name": ["tcp/PORT", \u2026]} or ["name", "tcp/PORT", \u2026]` }
          )
        ),
        allowIp: optional(
          union(
            [
              matching(eachToken(isAllowIpMode), ALLOW_IP_MODE),
              array(matching(isAllowIpMode, ALLOW_IP_MODE)).check(
                _minLength(1, { error: "expected at least one entry" }),
                _maxLength(MAX_ADDRESSES2, { error: `at most ${MAX_ADDRESSES2} entries` })
              )
            ],
            { error: `expected ${ALLOW_IP_MODE}, or a list of them` }
          )
        ),
        discover: optional(
          union(
            [
              matching(eachToken(isDiscoverySource), DISCOVERY_SOURCE),
              array(matching(isDiscoverySource, DISCOVERY_SOURCE)).check(
                _minLength(1, { error: "expected at least one source" }),
                _maxLength(MAX_DISCOVERY_SOURCES2, { error: `at most ${MAX_DISCOVERY_SOURCES2} sources` })
              )
            ],
            { error: `expected ${DISCOVERY_SOURCE}, or a list of them` }
          )
        ),
        discoverCa: optional(text(1, 4096, "a CA certificate file path")),
        duration: optional(integer2(0, 4294967295, "a whole number of seconds")),
        maxDuration: optional(integer2(1, 4294967295, "a whole number of seconds, at least 1"))
      },
      { error: "expected an object" }
    );
    clientProfileSchema = strictObject(
      { hosts: record(text(1, 253, "a host name"), hostProfile, { error: "expected an object of hosts" }) },
      { error: 'expected an object with "hosts"' }
    );
    PROFILE_ERROR_CODES = { invalid: "PROFILE_INVALID" };
    ProfileError = class extends Error {
      code = PROFILE_ERROR_CODES.invalid;
      field;
      constructor(field, message, options) {
        super(field === "" ? message : `${field}: ${message}`, options);
        this.name = "ProfileError";
        this.field = field;
      }
    };
  }
});

// packages/spa-client/src/help.ts
var help_exports = {};
__export(help_exports, {
  HELP: () => HELP
});
var KNOCK_OPTIONS, HELP;
var init_help = __esm({
  "packages/spa-client/src/help.ts"() {
    "use strict";
    KNOCK_OPTIONS = `  --host HOST             profile name, DNS name or IP address of the server (required)
  --server-key KEY        the server's public key, spa-x25519:\u2026 (default: from the profile)
  --port PORT             the server's SPA port, UDP (default: profile, else 62201); alias --spa-port
  --key FILE              private key file; "-" reads it from stdin (default: SPA_PRIVATE_KEY, then
                          the profile's keyFile); files readable by group or others are refused
  --allow-ip MODE         which address to sign and open for, repeatable or comma-separated.
                          Default: per family, the local address the route to HOST uses when it
                          and HOST's address are both global or both private (LAN, VPN); else
                          the public address --discover finds (none configured: an error, exit 78)
                            auto            the local address the route to HOST uses, always
                            stun=H:P,stun=H:P  the public address two STUN servers agree on
                            https://URL     the public address an HTTPS address echo reports
                            ADDRESS         an explicit IPv4 or IPv6 address
                            source          sign none: the server opens the packet's source
                                            (anyone who captures the knock can use it first)
  --discover SOURCE       where the default finds the public address: https://URL (its body is
                          the address as text) and/or two or more stun=HOST:PORT that must agree;
                          repeatable (default: the profile's discover)
  --discover-ca FILE      PEM CA certificates to trust for https:// discovery, besides the system's
  -4, -6                  use only IPv4 / IPv6 addresses of HOST
  --config FILE           profile file (default: $SPA_CONFIG, then ~/.config/spa/config.json)
  --json                  print one JSON object on stdout (shape: see README)
  -v, --verbose           explain what happens on stderr; stack traces on errors
  -h, --help              this help`;
    HELP = {
      main: `Usage: spa-client COMMAND [options]

Single Packet Authorization client: one signed UDP datagram asks the server to open a port for you.

Commands:
  open ACCESS...     ask for access (ACCESS: a service name such as ssh, or tcp/PORT, udp/PORT)
  close ACCESS...    give access back before it expires
  connect            knock, wait, then relay stdin/stdout to the port (for ssh ProxyCommand)
  keygen --out FILE  create a client key pair
  help [COMMAND]     show help for a command

Options: -h, --help; -V, --version

Examples:
  spa-client keygen --out ~/.config/spa/client.key
  spa-client open ssh --host vpn.example.com --wait
  spa-client open tcp/5432 --host 203.0.113.10 --server-key spa-x25519:\u2026 --key ~/.config/spa/client.key
  ssh -o 'ProxyCommand spa-client connect --host %h --port %p' vpn.example.com

Exit codes: 0 ok, 64 usage, 65 key, 68 unknown host, 69 network/discovery, 70 internal,
73 cannot create, 74 connection lost, 75 --wait timed out, 76 discovery sources disagree,
78 profile/config or no discovery configured.`,
      open: `Usage: spa-client open [ACCESS...] --host HOST [options]

Sends one signed, sealed knock asking the server to open ACCESS for your address. Without ACCESS,
asks for the profile's services. The server never answers; use --wait to know when it worked.

Options:
${KNOCK_OPTIONS}
  --duration SECONDS      how long access should last (default: profile, else the server's default)
  --wait                  probe the TCP ports until they accept a connection (ports of service
                          names come from the profile's services map); re-knocks with fresh packets
  --timeout SECONDS       give up waiting after this long (default 10), exit 75
  --dry-run               show the request that would be sent and send nothing

Examples:
  spa-client open ssh --host vpn.example.com --wait
  spa-client open tcp/22 tcp/443 --host 203.0.113.10 --server-key spa-x25519:\u2026 --key ./ci.key
  SPA_PRIVATE_KEY="$KEY" spa-client open ssh --host vpn.example.com --discover https://ip.example.net/ --wait --json
  spa-client open tcp/5432 --host db.example.com --allow-ip 198.51.100.7,2001:db8::7 --duration 3600
  spa-client open ssh --host vpn.example.com --dry-run --json`,
      close: `Usage: spa-client close [ACCESS...] --host HOST [options]

Sends a signed close request: the server removes the access it granted to the same addresses.

Options:
${KNOCK_OPTIONS}
  --dry-run               show the request that would be sent and send nothing

Examples:
  spa-client close ssh --host vpn.example.com
  spa-client close tcp/22 --host 203.0.113.10 --allow-ip auto --json`,
      connect: `Usage: spa-client connect --host HOST --port PORT [ACCESS...] [options]

For ssh's ProxyCommand: knocks, waits until HOST:PORT accepts a TCP connection (re-knocking with
fresh packets), then relays stdin and stdout to it. Nothing else is ever written to stdout.
Without ACCESS it asks for the profile service that has tcp/PORT, else for tcp/PORT itself.

Options:
  --host HOST             the host to connect to (ssh's %h); looked up in the profile
  --port PORT             the TCP port to connect to (ssh's %p) (required)
  --spa-port PORT         the server's SPA port, UDP (default: profile, else 62201)
  --server-key KEY, --key FILE, --allow-ip MODE, --discover SOURCE, --discover-ca FILE,
  -4, -6, --config FILE: as for open
                          (--key - is refused: stdin carries the connection)
  --duration SECONDS      how long access should last
  --timeout SECONDS       give up connecting after this long (default 10), exit 75
  -v, --verbose           progress on stderr

~/.ssh/config:
  Host vpn.example.com
      ProxyCommand spa-client connect --host %h --port %p

Exit codes: 0 when the connection ended normally, 74 when it broke, 75 when it never opened.

Examples:
  ssh -o 'ProxyCommand spa-client connect --host %h --port %p' vpn.example.com
  spa-client connect --host db.example.com --port 5432 --allow-ip auto`,
      keygen: `Usage: spa-client keygen --out FILE [--comment TEXT] [--json]

Creates an Ed25519 client key: FILE (the private key, mode 0600, never overwritten) and FILE.pub.
Prints the public key, spa-ed25519:\u2026, as the only line on stdout: give it to the server's admin.

Options:
  --out FILE              where to write the private key (required); parent directories are
                          created with mode 0700
  --comment TEXT          a comment for FILE.pub (e.g. alice@laptop)
  --json                  print {"publicKey", "keyFile", "publicKeyFile", "keyId"} instead

Examples:
  spa-client keygen --out ~/.config/spa/client.key
  spa-client keygen --out ./ci.key --comment github-actions --json`
    };
  }
});

// packages/spa-client/src/reknock.ts
var reknock_exports = {};
__export(reknock_exports, {
  startReknocking: () => startReknocking
});
function startReknocking(knock2, onError, { firstDelayMs = 1e3, maxDelayMs = 5e3 } = {}) {
  let count = 1;
  let delay = firstDelayMs;
  let timer;
  let stopped = false;
  const schedule = () => {
    timer = setTimeout(async () => {
      if (stopped) return;
      count++;
      await knock2().catch(onError);
      delay = Math.min(delay * 2, maxDelayMs);
      if (!stopped) schedule();
    }, delay);
    timer.unref();
  };
  schedule();
  return {
    count: () => count,
    stop() {
      stopped = true;
      clearTimeout(timer);
    }
  };
}
var init_reknock = __esm({
  "packages/spa-client/src/reknock.ts"() {
    "use strict";
  }
});

// packages/spa-client/src/tcp-attempt.ts
function attemptTcp(address, port, timeoutMs) {
  return new Promise((resolve2) => {
    const socket = (0, import_node_net.connect)({ host: address, port, allowHalfOpen: true, noDelay: true });
    const timer = setTimeout(() => done({ state: "filtered", detail: "no answer" }), timeoutMs);
    const done = (result) => {
      clearTimeout(timer);
      socket.removeAllListeners("connect");
      socket.removeAllListeners("error");
      if (result.state !== "open") socket.destroy();
      resolve2(result);
    };
    socket.once("connect", () => done({ state: "open", socket }));
    socket.once(
      "error",
      (error) => done({
        state: error.code === "ECONNREFUSED" ? "closed" : "filtered",
        detail: error.code ?? error.message
      })
    );
  });
}
var import_node_net;
var init_tcp_attempt = __esm({
  "packages/spa-client/src/tcp-attempt.ts"() {
    "use strict";
    import_node_net = require("node:net");
  }
});

// packages/spa-client/src/wait-ports.ts
var wait_ports_exports = {};
__export(wait_ports_exports, {
  attemptTimeoutMs: () => attemptTimeoutMs,
  waitForPorts: () => waitForPorts
});
function attemptTimeoutMs(attempt) {
  return Math.min(100 * 1.5 ** attempt, 1e3);
}
async function waitForPorts(address, ports, startedAt, deadline) {
  return Promise.all(ports.map((port) => waitForPort(address, port, startedAt, deadline)));
}
async function waitForPort(address, port, startedAt, deadline) {
  let lastState = "filtered";
  for (let attempt = 0; ; attempt++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { address, port, openAfterMs: void 0, lastState };
    const began = Date.now();
    const result = await attemptTcp(address, port, Math.min(attemptTimeoutMs(attempt), remaining));
    lastState = result.state;
    if (result.state === "open") {
      result.socket.destroy();
      return { address, port, openAfterMs: Date.now() - startedAt, lastState };
    }
    if (Date.now() - began < RETRY_PAUSE_MS) await (0, import_promises2.setTimeout)(RETRY_PAUSE_MS);
  }
}
var import_promises2, RETRY_PAUSE_MS;
var init_wait_ports = __esm({
  "packages/spa-client/src/wait-ports.ts"() {
    "use strict";
    import_promises2 = require("node:timers/promises");
    init_tcp_attempt();
    RETRY_PAUSE_MS = 100;
  }
});

// packages/spa-client/src/args.ts
var import_node_util = require("node:util");
init_errors();
var COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
  verbose: { type: "boolean", short: "v" },
  json: { type: "boolean" }
};
function parseCommandArgs(command, argv, options) {
  let parsed;
  try {
    parsed = (0, import_node_util.parseArgs)({
      args: [...argv],
      options: { ...COMMON_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
      tokens: true
    });
  } catch (error) {
    const text2 = error instanceof Error ? error.message : String(error);
    const first = text2.split(/\.\s|\n/)[0].replace(/\.$/, "");
    const hint = /ambiguous/.test(text2) ? "; for a value starting with '-', write --option=VALUE" : "";
    throw usageError(`${command}: ${first}${hint} (see spa-client ${command} --help)`);
  }
  const seen = /* @__PURE__ */ new Set();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option") continue;
    const spec = options[token.name] ?? COMMON_OPTIONS[token.name];
    if (spec?.type === "string" && !spec.multiple) {
      if (seen.has(token.name)) throw usageError(`${command}: --${token.name} given more than once`);
      seen.add(token.name);
    }
  }
  return { values: parsed.values, positionals: parsed.positionals };
}
function stringOption(args, name) {
  const v = args.values[name];
  return typeof v === "string" ? v : void 0;
}
function listOption(args, name) {
  const v = args.values[name];
  return Array.isArray(v) ? v : [];
}
function flag(args, name) {
  return args.values[name] === true;
}

// packages/spa-client/src/commands/knock.ts
init_errors();

// packages/spa-client/src/knock-explain.ts
init_discovery_sources();

// packages/spa-protocol/src/node/key-files.ts
var import_node_fs = require("node:fs");
init_errors2();
init_keys();
function readPrivateKeyFileSync(kind, path) {
  let fd;
  try {
    fd = (0, import_node_fs.openSync)(path, "r");
  } catch (cause) {
    throw new SpaError(ERROR_CODES.invalidKey, `cannot read key file ${path}: ${describe(cause)}`, { cause });
  }
  try {
    assertOwnerOnly(path, (0, import_node_fs.fstatSync)(fd).mode);
    return parsePrivateKeyText(kind, (0, import_node_fs.readFileSync)(fd, "utf8"), path);
  } finally {
    (0, import_node_fs.closeSync)(fd);
  }
}
function assertOwnerOnly(path, mode, platform = process.platform) {
  if (platform === "win32") return;
  if ((mode & 63) !== 0) {
    throw new SpaError(
      ERROR_CODES.invalidKey,
      `key file ${path} is accessible by group or others (mode ${(mode & 511).toString(8)}): run chmod 600 ${path}`
    );
  }
}
function parsePrivateKeyText(kind, text2, source) {
  try {
    return parsePrivateKey(kind, text2);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new SpaError(ERROR_CODES.invalidKey, `${source}: ${message}`, { cause });
  }
}
function describe(cause) {
  const code = cause.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EEXIST") return "file exists (refusing to overwrite a key)";
  if (code === "EACCES") return "permission denied";
  return cause instanceof Error ? cause.message : String(cause);
}

// packages/spa-protocol/src/node/node-backend.ts
var import_node_crypto = require("node:crypto");
var ED25519_PKCS8 = Uint8Array.from([
  48,
  46,
  2,
  1,
  0,
  48,
  5,
  6,
  3,
  43,
  101,
  112,
  4,
  34,
  4,
  32
]);
var ED25519_SPKI = Uint8Array.from([
  48,
  42,
  48,
  5,
  6,
  3,
  43,
  101,
  112,
  3,
  33,
  0
]);
var X25519_PKCS8 = Uint8Array.from([
  48,
  46,
  2,
  1,
  0,
  48,
  5,
  6,
  3,
  43,
  101,
  110,
  4,
  34,
  4,
  32
]);
var X25519_SPKI = Uint8Array.from([48, 42, 48, 5, 6, 3, 43, 101, 110, 3, 33, 0]);
var bytes = (b) => b instanceof Uint8Array ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);
var der = (prefix, key) => {
  const out = new Uint8Array(prefix.length + key.length);
  out.set(prefix);
  out.set(key, prefix.length);
  return out;
};
var cache = /* @__PURE__ */ new WeakMap();
function cached(key, make) {
  let k = cache.get(key);
  if (!k) {
    k = make();
    cache.set(key, k);
  }
  return k;
}
var edPrivate = (seed) => (0, import_node_crypto.createPrivateKey)({ key: Buffer.from(der(ED25519_PKCS8, seed)), format: "der", type: "pkcs8" });
var xPrivate = (secret) => cached(
  secret,
  () => (0, import_node_crypto.createPrivateKey)({ key: Buffer.from(der(X25519_PKCS8, secret)), format: "der", type: "pkcs8" })
);
var nodeBackend = {
  name: "node",
  sha256: (data) => bytes((0, import_node_crypto.createHash)("sha256").update(data).digest()),
  hmacSha256: (key, data) => bytes((0, import_node_crypto.createHmac)("sha256", key).update(data).digest()),
  hkdfSha256: (ikm, salt, info, length) => bytes((0, import_node_crypto.hkdfSync)("sha256", ikm, salt, info, length)),
  x25519PublicKey(secret) {
    const spki = (0, import_node_crypto.createPublicKey)(xPrivate(secret)).export({ format: "der", type: "spki" });
    return bytes(spki).slice(X25519_SPKI.length);
  },
  x25519(secret, publicKey) {
    try {
      const peer = (0, import_node_crypto.createPublicKey)({
        key: { kty: "OKP", crv: "X25519", x: Buffer.from(publicKey).toString("base64url") },
        format: "jwk"
      });
      return bytes((0, import_node_crypto.diffieHellman)({ privateKey: xPrivate(secret), publicKey: peer }));
    } catch {
      return void 0;
    }
  },
  chachaSeal(key, nonce, plaintext, aad) {
    const c = (0, import_node_crypto.createCipheriv)("chacha20-poly1305", key, nonce, { authTagLength: 16 });
    c.setAAD(aad, { plaintextLength: plaintext.length });
    const head = c.update(plaintext);
    const tail = c.final();
    const out = new Uint8Array(head.length + tail.length + 16);
    out.set(head);
    out.set(tail, head.length);
    out.set(c.getAuthTag(), head.length + tail.length);
    return out;
  },
  chachaOpen(key, nonce, sealed, aad) {
    if (sealed.length < 16) return void 0;
    try {
      const d = (0, import_node_crypto.createDecipheriv)("chacha20-poly1305", key, nonce, { authTagLength: 16 });
      d.setAAD(aad, { plaintextLength: sealed.length - 16 });
      d.setAuthTag(sealed.subarray(sealed.length - 16));
      const head = d.update(sealed.subarray(0, sealed.length - 16));
      const tail = d.final();
      const out = new Uint8Array(head.length + tail.length);
      out.set(head);
      out.set(tail, head.length);
      return out;
    } catch {
      return void 0;
    }
  },
  ed25519PublicKey(seed) {
    const spki = (0, import_node_crypto.createPublicKey)(edPrivate(seed)).export({ format: "der", type: "spki" });
    return bytes(spki).slice(ED25519_SPKI.length);
  },
  ed25519Sign: (seed, message) => bytes((0, import_node_crypto.sign)(null, message, edPrivate(seed))),
  ed25519Verify(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      const key = cached(
        publicKey,
        () => (0, import_node_crypto.createPublicKey)({ key: Buffer.from(der(ED25519_SPKI, publicKey)), format: "der", type: "spki" })
      );
      return (0, import_node_crypto.verify)(null, message, key, signature);
    } catch {
      return false;
    }
  }
};

// packages/spa-client/src/private-key.ts
init_errors();
var MAX_KEY_TEXT = 16 * 1024;
function chooseKeySource(keyOption, env, profileKeyFile) {
  if (keyOption === "-") return { kind: "stdin" };
  if (keyOption !== void 0) return { kind: "file", path: keyOption };
  if (env.SPA_PRIVATE_KEY !== void 0 && env.SPA_PRIVATE_KEY !== "") return { kind: "env" };
  if (profileKeyFile !== void 0) return { kind: "file", path: profileKeyFile };
  throw new ClientError(
    CLIENT_ERROR_CODES.keyInvalid,
    "no private key: pass --key FILE (or --key - for stdin), set SPA_PRIVATE_KEY, or set keyFile in the profile"
  );
}
function describeKeySource(source) {
  return source.kind === "file" ? source.path : source.kind === "env" ? "SPA_PRIVATE_KEY" : "stdin";
}
async function loadPrivateKey(source, env) {
  if (source.kind === "file") return readPrivateKeyFileSync("client", source.path);
  if (source.kind === "env")
    return parsePrivateKeyText("client", env.SPA_PRIVATE_KEY ?? "", "SPA_PRIVATE_KEY");
  return parsePrivateKeyText("client", await readStdin(), "stdin");
}
async function readStdin() {
  const chunks = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += chunk.length;
    if (size > MAX_KEY_TEXT) {
      throw new ClientError(CLIENT_ERROR_CODES.keyInvalid, "stdin: more than 16 KiB, not a private key");
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

// packages/spa-client/src/knock-explain.ts
function describeSigned(session) {
  if (session.plan.allowIp.source) {
    return "signing no address: the server opens the datagram's source address (--allow-ip source)";
  }
  if (session.addressSources.length === 0) return "signing the addresses discovery finds when sent";
  const parts = session.addressSources.map(
    (s) => s.via === "given" ? s.address : s.via === "route" ? `${s.address} (route)` : `${s.address} (from ${s.via})`
  );
  return `signing ${parts.join(", ")}`;
}
function describePlan(plan, info) {
  info(
    plan.profilePath === void 0 ? "profile: none" : `profile: ${plan.profilePath}${plan.profile ? ` (entry "${plan.profile.name}")` : " (no entry for this host)"}`
  );
  info(`key: ${describeKeySource(plan.keySource)}`);
  const discovery = plan.allowIp.discover ? `${describeDiscovery(plan.allowIp.discover).join(", ")} (--allow-ip)` : plan.discovery ? `${describeDiscovery(plan.discovery.sources).join(", ")} (${plan.discovery.origin})` : "none configured";
  info(`discovery: ${discovery}${plan.discoverCa ? `, extra CA file ${plan.discoverCa}` : ""}`);
}

// packages/spa-client/src/knock-report.ts
init_src();

// packages/spa-client/src/allow-ip.ts
init_src();
init_discovery_sources();
init_errors();
init_option_values();
var DEFAULT_ALLOW_IP = {
  source: false,
  addresses: [],
  auto: false,
  discover: void 0,
  scoped: true
};
function parseAllowIp(values, where = "--allow-ip") {
  const tokens = values.flatMap((v) => v.split(",")).map((t) => t.trim());
  if (tokens.length === 0) return DEFAULT_ALLOW_IP;
  let source = false;
  let auto = false;
  const discovery = [];
  const addresses = /* @__PURE__ */ new Set();
  for (const token of tokens) {
    if (token === "source") source = true;
    else if (token === "auto") auto = true;
    else if (isDiscoveryToken(token)) discovery.push(token);
    else {
      const address = parseAddress(token);
      if (!address || !isGrantable(address)) {
        throw usageError(
          `${where}: expected source, auto, stun=HOST:PORT, https://URL or a unicast IP address, got "${clip(token)}"`
        );
      }
      addresses.add(address.text);
    }
  }
  const discover = discovery.length > 0 ? parseDiscoverySources(discovery, where) : void 0;
  if (source && (auto || discover || addresses.size > 0)) {
    throw usageError(`${where}: "source" means "no address, use the packet's source" and cannot be combined`);
  }
  if (addresses.size > MAX_ADDRESSES) throw usageError(`${where}: at most ${MAX_ADDRESSES} addresses`);
  return { source, addresses: [...addresses], auto, discover, scoped: false };
}
function describeAllowIp(allow) {
  if (allow.source) return ["source"];
  const out = [];
  if (allow.scoped) out.push("default");
  if (allow.auto) out.push("auto");
  if (allow.discover) out.push(...describeDiscovery(allow.discover));
  return [...out, ...allow.addresses];
}

// packages/spa-client/src/knock-report.ts
function buildReport(session, packets, wait, dryRun) {
  const { plan } = session;
  return {
    command: plan.kind,
    dryRun,
    host: plan.host,
    profile: plan.profile?.name ?? null,
    server: {
      addresses: session.hostAddresses.map((a) => a.address),
      port: plan.spaPort,
      key: plan.serverKeyText
    },
    keyId: session.keyId,
    request: {
      kind: plan.kind,
      access: plan.access.map(formatAccess),
      allowIp: describeAllowIp(plan.allowIp),
      addresses: [...session.addresses],
      addressSources: [...session.addressSources],
      durationSeconds: plan.durationSeconds
    },
    packets,
    wait,
    notes: [...session.notes]
  };
}
function describeAddresses(report) {
  if (report.request.addresses.length > 0) return report.request.addresses.join(", ");
  return report.request.allowIp[0] === "source" ? "the packet's source address" : "(found when sent)";
}
function formatHuman(report) {
  const { request: request2 } = report;
  const what = `${request2.kind} ${request2.access.join(", ")}`;
  const lasting = request2.kind === "close" ? "" : request2.durationSeconds > 0 ? `, for ${request2.durationSeconds} s` : ", for the server's default time";
  if (report.dryRun) {
    return [
      "dry run: nothing sent",
      `  server   ${report.host} (${report.server.addresses.join(", ")}) port ${report.server.port}`,
      `  key      ${report.server.key}`,
      `  key id   ${report.keyId}`,
      `  request  ${what}${lasting}`,
      `  allow    ${request2.allowIp.join(", ")} \u2192 ${describeAddresses(report)}`,
      ...report.packets.map((p) => `  packet   ${p.bytes} bytes to ${p.to} port ${p.port} (IPv${p.family})`)
    ];
  }
  const to = report.packets.map((p) => p.to).join(" and ");
  const lines = [
    `sent ${what} to ${report.host} (${to} port ${report.server.port}): access from ${describeAddresses(report)}${lasting}`
  ];
  for (const port of report.wait?.ports ?? []) {
    lines.push(`open: ${port.address} tcp/${port.port} after ${port.openAfterMs} ms`);
  }
  return lines;
}

// packages/spa-client/src/knock-session.ts
var import_node_fs2 = require("node:fs");
init_src();
init_errors();

// packages/spa-client/src/request-addresses.ts
init_src();
init_discovery_sources();
init_errors();
async function chooseAddresses(allow, targets, spaPort, options) {
  if (allow.source) return { addresses: [], sources: [], notes: [] };
  const found = new Map(allow.addresses.map((a) => [a, "given"]));
  const notes = [];
  const toDiscover = [];
  const unconfigured = [];
  if (allow.auto || allow.scoped) {
    const [{ localAddressToward: localAddressToward2 }, { sameScope: sameScope2 }] = await Promise.all([
      Promise.resolve().then(() => (init_local_address(), local_address_exports)),
      Promise.resolve().then(() => (init_address_scope(), address_scope_exports))
    ]);
    for (const target of targets) {
      const local = await localAddressToward2(target, spaPort);
      if (!local) notes.push(`no IPv${target.family} route to ${target.address}`);
      else if (allow.auto || sameScope2(local, target.address)) found.set(local, "route");
      else if (options.discovery) {
        toDiscover.push({ family: target.family, sources: options.discovery });
      } else {
        unconfigured.push(
          `this machine's ${local} and the server's ${target.address} are in different scopes`
        );
      }
    }
  }
  if (allow.discover) {
    for (const t of targets) toDiscover.push({ family: t.family, sources: allow.discover });
  }
  await discoverAll(toDiscover, options, found, notes);
  if (found.size === 0) {
    if (unconfigured.length > 0) {
      throw new ClientError(
        CLIENT_ERROR_CODES.discoveryUnconfigured,
        `${unconfigured.join("; ")} (a NAT between them?): configure discovery (--discover https://URL, or "discover" in the profile) or pass --allow-ip ADDRESS or --allow-ip source`
      );
    }
    if (!(toDiscover.length > 0 && !options.query)) {
      throw new ClientError(CLIENT_ERROR_CODES.network, `--allow-ip: no address found (${notes.join("; ")})`);
    }
  }
  for (const why of unconfigured) notes.push(`not signed: ${why} and no discovery is configured`);
  if (found.size > MAX_ADDRESSES) {
    throw new ClientError(
      CLIENT_ERROR_CODES.usage,
      `--allow-ip: ${found.size} addresses, at most ${MAX_ADDRESSES}`
    );
  }
  return {
    addresses: [...found.keys()],
    sources: [...found].map(([address, via]) => ({ address, via })),
    notes
  };
}
async function discoverAll(jobs, options, found, notes) {
  if (jobs.length === 0) return;
  if (!options.query) {
    for (const job of jobs)
      notes.push(`IPv${job.family}: would ask ${describeDiscovery(job.sources).join(", ")}`);
    return;
  }
  const { discoverAddress: discoverAddress2 } = await Promise.resolve().then(() => (init_discover_address(), discover_address_exports));
  const results = await Promise.allSettled(
    jobs.map((job) => discoverAddress2(job.sources, job.family, options.discoveryOptions))
  );
  let firstError;
  for (const [i, result] of results.entries()) {
    if (result.status === "fulfilled") {
      found.set(result.value, describeDiscovery(jobs[i].sources).join(" + "));
      continue;
    }
    const error = result.reason;
    if (error.code === CLIENT_ERROR_CODES.discoveryConflict) throw error;
    firstError ??= error;
    notes.push(error instanceof Error ? error.message : String(error));
  }
  if (found.size === 0 && firstError !== void 0) throw firstError;
}

// packages/spa-client/src/resolve-host.ts
init_src();
init_errors();
async function resolveHost(host, family) {
  const literal = parseAddress(host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host);
  if (literal) {
    const address = unmapAddress(literal);
    if (family !== void 0 && address.family !== family) {
      throw new ClientError(
        CLIENT_ERROR_CODES.usage,
        `-${family}: ${host} is an IPv${address.family} address`
      );
    }
    return { name: host, addresses: [{ address: address.text, family: address.family }] };
  }
  let found;
  try {
    const { lookup: lookup2 } = process.getBuiltinModule("node:dns/promises");
    found = await lookup2(host, { all: true, family: family ?? 0 });
  } catch (cause) {
    const code = cause.code ?? "lookup failed";
    throw new ClientError(CLIENT_ERROR_CODES.hostUnknown, `cannot resolve ${host}: ${code}`, { cause });
  }
  const seen = /* @__PURE__ */ new Set();
  const addresses = [];
  for (const entry of found) {
    const parsed = parseAddress(entry.address);
    if (!parsed) continue;
    const address = unmapAddress(parsed);
    if (seen.has(address.text)) continue;
    seen.add(address.text);
    addresses.push({ address: address.text, family: address.family });
  }
  if (addresses.length === 0) {
    throw new ClientError(CLIENT_ERROR_CODES.hostUnknown, `cannot resolve ${host}: no usable address`);
  }
  return { name: host, addresses };
}
function firstPerFamily(host) {
  const out = [];
  for (const a of host.addresses) if (!out.some((b) => b.family === a.family)) out.push(a);
  return out;
}

// packages/spa-client/src/send-knock.ts
var import_node_crypto3 = require("node:crypto");
var import_node_dgram3 = require("node:dgram");
init_src();
init_errors();
var hex = (bytes2) => Buffer.from(bytes2).toString("hex");
function sealKnock(key, content, target, port) {
  const { datagram, knock: knock2 } = encodeDatagram({
    backend: nodeBackend,
    serverPublicKey: content.serverKey,
    clientSecretKey: key.secretKey,
    clientPublicKey: key.publicKey,
    // node:crypto's CSPRNG: the default, the global Web Crypto object, costs ~0.6 ms to set up.
    random: (n) => new Uint8Array((0, import_node_crypto3.randomBytes)(n)),
    request: {
      kind: content.kind,
      access: content.access,
      addresses: content.addresses,
      durationSeconds: content.durationSeconds
    }
  });
  return {
    datagram,
    report: {
      to: target.address,
      family: target.family,
      port,
      bytes: datagram.length,
      nonce: hex(knock2.nonce),
      timestamp: knock2.timestampMs,
      addresses: [...content.addresses]
    }
  };
}
function sendDatagram(datagram, target, port) {
  const socket = (0, import_node_dgram3.createSocket)({ type: target.family === 4 ? "udp4" : "udp6" });
  return new Promise((resolve2, reject) => {
    const fail = (error) => {
      socket.close();
      const code = error.code ?? error.message;
      reject(
        new ClientError(
          CLIENT_ERROR_CODES.network,
          `cannot send to ${target.address} port ${port}: ${code}`,
          {
            cause: error
          }
        )
      );
    };
    socket.on("error", fail);
    socket.send(datagram, port, target.address, (error) => {
      if (error) return fail(error);
      socket.close();
      resolve2();
    });
  });
}

// packages/spa-client/src/knock-session.ts
async function prepareKnock(plan, env, options) {
  const secretKey = await loadPrivateKey(plan.keySource, env);
  const key = { secretKey, publicKey: nodeBackend.ed25519PublicKey(secretKey) };
  const host = await resolveHost(plan.host, plan.family);
  const perFamily = firstPerFamily(host);
  const ca = plan.discoverCa === void 0 ? void 0 : readCaFile(plan.discoverCa);
  const choice = await chooseAddresses(plan.allowIp, perFamily, plan.spaPort, {
    query: options.query,
    discovery: plan.discovery?.sources,
    discoveryOptions: { https: { ca }, ...options.stun ? { stun: options.stun } : {} }
  });
  const signedFamilies = new Set(choice.addresses.map((a) => a.includes(":") ? 6 : 4));
  const targets = plan.allowIp.source ? perFamily : [perFamily.find((t) => signedFamilies.has(t.family)) ?? perFamily[0]];
  const content = {
    kind: plan.kind,
    serverKey: plan.serverKey,
    access: plan.access,
    addresses: choice.addresses,
    durationSeconds: plan.durationSeconds
  };
  return {
    plan,
    keyId: Buffer.from(computeKeyId(nodeBackend, key.publicKey)).toString("hex"),
    hostAddresses: host.addresses,
    targets,
    addresses: choice.addresses,
    addressSources: choice.sources,
    notes: choice.notes,
    async send() {
      const reports = [];
      for (const target of targets) {
        const { datagram, report } = sealKnock(key, content, target, plan.spaPort);
        try {
          await sendDatagram(datagram, target, plan.spaPort);
          reports.push(report);
        } catch (error) {
          if (targets.length === 1 || reports.length === 0 && target === targets.at(-1)) throw error;
        }
      }
      return reports;
    },
    preview: () => targets.map((target) => sealKnock(key, content, target, plan.spaPort).report)
  };
}
function readCaFile(path) {
  try {
    return (0, import_node_fs2.readFileSync)(path, "utf8");
  } catch (cause) {
    const code = cause.code ?? "unreadable";
    throw new ClientError(CLIENT_ERROR_CODES.configInvalid, `discovery CA file ${path}: ${code}`, { cause });
  }
}

// packages/spa-client/src/commands/knock.ts
init_option_values();

// packages/spa-client/src/output.ts
var import_node_fs3 = require("node:fs");
function writeOut(fd, text2) {
  try {
    (0, import_node_fs3.writeSync)(fd, text2);
  } catch {
    (fd === 1 ? process.stdout : process.stderr).write(text2);
  }
}
function createOutput(json, verbose) {
  return {
    json,
    verbose,
    line(text2) {
      if (!json) writeOut(1, `${text2}
`);
    },
    result(value) {
      writeOut(1, `${JSON.stringify(value)}
`);
    },
    info(text2) {
      if (verbose) writeOut(2, `spa-client: ${text2}
`);
    },
    notice(text2) {
      writeOut(2, `spa-client: ${text2}
`);
    }
  };
}

// packages/spa-client/src/plan.ts
init_src();
init_discovery_sources();
init_errors();
init_option_values();

// packages/spa-client/src/profile.ts
var import_node_fs4 = require("node:fs");
var import_node_os = require("node:os");
var import_node_path = require("node:path");
init_errors();
var MAX_PROFILE_BYTES = 1 << 20;
function homeDirectory(env) {
  return env.HOME || (0, import_node_os.homedir)();
}
function locateProfile(config2, env) {
  if (config2 !== void 0) return { path: expandHome(config2, env), explicit: true };
  if (env.SPA_CONFIG) return { path: expandHome(env.SPA_CONFIG, env), explicit: true };
  return { path: (0, import_node_path.join)(homeDirectory(env), ".config", "spa", "config.json"), explicit: false };
}
async function loadProfile(location) {
  let text2;
  try {
    text2 = (0, import_node_fs4.readFileSync)(location.path, "utf8");
  } catch (cause) {
    const code = cause.code;
    if (code === "ENOENT" && !location.explicit) return void 0;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(code);
    throw new ClientError(CLIENT_ERROR_CODES.configInvalid, `profile ${location.path}: ${why}`, { cause });
  }
  if (text2.length > MAX_PROFILE_BYTES) {
    throw new ClientError(CLIENT_ERROR_CODES.configInvalid, `profile ${location.path}: larger than 1 MiB`);
  }
  let json;
  try {
    json = JSON.parse(text2);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ClientError(
      CLIENT_ERROR_CODES.configInvalid,
      `profile ${location.path}: not valid JSON (${detail})`,
      {
        cause
      }
    );
  }
  const { parseClientProfile: parseClientProfile2 } = await Promise.resolve().then(() => (init_client_profile(), client_profile_exports));
  try {
    return parseClientProfile2(json);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ClientError(CLIENT_ERROR_CODES.configInvalid, `profile ${location.path}: ${detail}`, { cause });
  }
}
function findHost(profile, host, profilePath) {
  const hosts = profile.hosts;
  if (Object.hasOwn(hosts, host)) return { name: host, entry: hosts[host], profilePath };
  for (const [name, entry] of Object.entries(hosts)) {
    if (entry.host === host) return { name, entry, profilePath };
  }
  return void 0;
}
function expandHome(path, env, base) {
  if (path === "~") return homeDirectory(env);
  if (path.startsWith("~/")) return (0, import_node_path.join)(homeDirectory(env), path.slice(2));
  if (base !== void 0 && !(0, import_node_path.isAbsolute)(path)) return (0, import_node_path.resolve)((0, import_node_path.dirname)(base), path);
  return path;
}

// packages/spa-client/src/plan.ts
var HOST_TEXT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._:-]{1,253})$/;
async function resolvePlan(inputs) {
  const { env } = inputs;
  if (inputs.host === void 0)
    throw usageError("--host is required (a profile name, DNS name or IP address)");
  if (!HOST_TEXT.test(inputs.host))
    throw usageError(`--host: not a host name or address: "${clip(inputs.host)}"`);
  const cliAccess = parseAccessList(inputs.access);
  const cliPort = inputs.spaPort === void 0 ? void 0 : parsePortOption("port", inputs.spaPort);
  const cliAllowIp = inputs.allowIp && inputs.allowIp.length > 0 ? parseAllowIp(inputs.allowIp) : void 0;
  const cliDiscover = inputs.discover && inputs.discover.length > 0 ? parseDiscoverySources(splitTokens(inputs.discover), "--discover") : void 0;
  if (inputs.duration !== void 0 && inputs.kind === "close") {
    throw usageError("--duration: a close request has no duration");
  }
  const cliDuration = inputs.duration === void 0 ? void 0 : parseSecondsOption("duration", inputs.duration);
  const location = locateProfile(inputs.config, env);
  const profileFile = await loadProfile(location);
  const profile = profileFile ? findHost(profileFile, inputs.host, location.path) : void 0;
  const entry = profile?.entry;
  const serverKeyText = inputs.serverKey ?? entry?.serverKey;
  if (serverKeyText === void 0) {
    throw new ClientError(
      CLIENT_ERROR_CODES.configInvalid,
      `no server key for ${inputs.host}: pass --server-key spa-x25519:\u2026 or add the host to ${location.path} (spa-server client-config prints the entry)`
    );
  }
  const serverKey = parseServerKey(
    serverKeyText,
    inputs.serverKey !== void 0 ? "--server-key" : `${location.path}: serverKey`
  );
  const servicePorts = collectServicePorts(entry?.services);
  refuseUnknownServices(cliAccess, entry?.services, inputs.host);
  let access = cliAccess;
  if (access.length === 0) {
    access = inputs.defaultAccess ? inputs.defaultAccess(servicePorts) : defaultAccess(entry?.services);
  }
  if (access.length === 0) {
    throw usageError(
      `nothing to ${inputs.kind}: name services or ports (ssh, tcp/22) or set services in the profile`
    );
  }
  const profileKeyFile = entry?.keyFile === void 0 ? void 0 : expandHome(entry.keyFile, env, location.path);
  const keySource = chooseKeySource(
    inputs.key === void 0 ? void 0 : expandHome(inputs.key, env),
    env,
    profileKeyFile
  );
  let allowIp = cliAllowIp ?? DEFAULT_ALLOW_IP;
  if (!cliAllowIp && entry?.allowIp !== void 0) {
    const values = typeof entry.allowIp === "string" ? [entry.allowIp] : entry.allowIp;
    allowIp = parseAllowIp(values, `${location.path}: allowIp`);
  }
  let discovery = cliDiscover && { sources: cliDiscover, origin: "--discover" };
  if (!discovery && entry?.discover !== void 0) {
    const where = `${location.path}: discover`;
    const values = typeof entry.discover === "string" ? [entry.discover] : entry.discover;
    discovery = { sources: parseDiscoverySources(splitTokens(values), where), origin: where };
  }
  const discoverCa = inputs.discoverCa !== void 0 ? expandHome(inputs.discoverCa, env) : entry?.discoverCa === void 0 ? void 0 : expandHome(entry.discoverCa, env, location.path);
  const durationSeconds = inputs.kind === "close" ? 0 : cliDuration ?? entry?.duration ?? 0;
  const warnings = [];
  if (entry?.maxDuration !== void 0 && durationSeconds > entry.maxDuration) {
    warnings.push(
      `warning: ${durationSeconds} s asked, but the server grants ${inputs.host} at most ${entry.maxDuration} s (profile maxDuration): access will end sooner`
    );
  }
  return {
    kind: inputs.kind,
    host: entry?.host ?? inputs.host,
    profile,
    spaPort: cliPort ?? entry?.port ?? DEFAULT_PORT,
    serverKeyText: serverKeyText.trim().split(/\s+/, 1)[0],
    serverKey,
    keySource,
    access,
    allowIp,
    discovery,
    discoverCa,
    profilePath: profileFile ? location.path : void 0,
    warnings,
    durationSeconds,
    servicePorts,
    family: inputs.family
  };
}
function parseServerKey(text2, where) {
  try {
    return parseServerPublicKey(text2);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new ClientError(CLIENT_ERROR_CODES.keyInvalid, `${where}: ${message}`, { cause });
  }
}
function collectServicePorts(services) {
  const map = /* @__PURE__ */ new Map();
  if (services === void 0 || Array.isArray(services)) return map;
  for (const [name, value] of Object.entries(
    services
  )) {
    const texts = typeof value === "string" ? [value] : value;
    map.set(
      name,
      texts.map((t) => parseAccess(t)).filter((a) => a !== void 0)
    );
  }
  return map;
}
function defaultAccess(services) {
  if (services === void 0) return [];
  const words = Array.isArray(services) ? services : Object.keys(services);
  return parseAccessList(words);
}
function refuseUnknownServices(access, services, host) {
  if (services === void 0) return;
  const names = Array.isArray(services) ? services.filter((s) => parseAccess(s)?.type === "service") : Object.keys(services);
  for (const item of access) {
    if (item.type !== "service" || names.includes(item.name)) continue;
    const known = names.length > 0 ? `it lists ${names.join(", ")}` : "it lists no service names";
    throw usageError(
      `unknown service "${item.name}": the profile of ${host} does not list it (${known}); use tcp/PORT or udp/PORT for a port`
    );
  }
}
function splitTokens(values) {
  return values.flatMap((v) => v.split(",")).map((t) => t.trim());
}

// packages/spa-client/src/commands/knock.ts
var KNOCK_OPTIONS2 = {
  host: { type: "string" },
  "server-key": { type: "string" },
  port: { type: "string" },
  "spa-port": { type: "string" },
  key: { type: "string" },
  "allow-ip": { type: "string", multiple: true },
  discover: { type: "string", multiple: true },
  "discover-ca": { type: "string" },
  config: { type: "string" },
  ipv4: { type: "boolean", short: "4" },
  ipv6: { type: "boolean", short: "6" },
  "dry-run": { type: "boolean" }
};
var OPEN_OPTIONS = {
  ...KNOCK_OPTIONS2,
  duration: { type: "string" },
  wait: { type: "boolean" },
  timeout: { type: "string" }
};
var DEFAULT_TIMEOUT_SECONDS = 10;
var LIKELY_CAUSES = "likely causes: clock skew between this machine and the server, a wrong server key, this key not authorized on the server, or the service not allowed for this key (the server never answers a knock, by design)";
async function runKnock(kind, argv, out) {
  const args = parseCommandArgs(kind, argv, kind === "open" ? OPEN_OPTIONS : KNOCK_OPTIONS2);
  const output = out ?? createOutput(flag(args, "json"), flag(args, "verbose"));
  if (flag(args, "help")) {
    const { HELP: HELP2 } = await Promise.resolve().then(() => (init_help(), help_exports));
    writeOut(1, `${HELP2[kind]}
`);
    return 0;
  }
  if (flag(args, "ipv4") && flag(args, "ipv6")) throw usageError(`${kind}: -4 and -6 exclude each other`);
  const port = stringOption(args, "port");
  const spaPort = stringOption(args, "spa-port");
  if (port !== void 0 && spaPort !== void 0)
    throw usageError(`${kind}: --port and --spa-port are the same option`);
  const wait = flag(args, "wait");
  const dryRun = flag(args, "dry-run");
  const timeoutText = stringOption(args, "timeout");
  if (timeoutText !== void 0 && !wait) throw usageError("--timeout only applies with --wait");
  if (wait && dryRun) throw usageError("--wait and --dry-run exclude each other");
  const timeoutMs = 1e3 * (timeoutText === void 0 ? DEFAULT_TIMEOUT_SECONDS : parseSecondsOption("timeout", timeoutText, { min: 0.1, max: 3600, fraction: true }));
  const plan = await resolvePlan({
    kind,
    host: stringOption(args, "host"),
    access: args.positionals,
    serverKey: stringOption(args, "server-key"),
    spaPort: port ?? spaPort,
    key: stringOption(args, "key"),
    allowIp: listOption(args, "allow-ip"),
    discover: listOption(args, "discover"),
    discoverCa: stringOption(args, "discover-ca"),
    duration: stringOption(args, "duration"),
    config: stringOption(args, "config"),
    family: flag(args, "ipv4") ? 4 : flag(args, "ipv6") ? 6 : void 0,
    env: process.env
  });
  const probePorts = wait ? tcpPortsToProbe(plan.access, plan.servicePorts) : [];
  describePlan(plan, output.info);
  for (const warning of plan.warnings) output.notice(warning);
  const session = await prepareKnock(plan, process.env, { query: !dryRun });
  for (const note of session.notes) output.info(note);
  output.notice(describeSigned(session));
  if (dryRun) {
    const report2 = buildReport(session, session.preview(), null, true);
    if (output.json) output.result(report2);
    else for (const line of formatHuman(report2)) output.line(line);
    return 0;
  }
  const startedAt = Date.now();
  const packets = await session.send();
  output.info(
    `sent ${packets.length} datagram(s) to ${packets.map((p) => p.to).join(", ")} port ${plan.spaPort}`
  );
  let waitReport = null;
  if (wait) {
    const [{ startReknocking: startReknocking2 }, { waitForPorts: waitForPorts2 }] = await Promise.all([
      Promise.resolve().then(() => (init_reknock(), reknock_exports)),
      Promise.resolve().then(() => (init_wait_ports(), wait_ports_exports))
    ]);
    const target = session.targets[0];
    const reknocker = startReknocking2(
      async () => {
        packets.push(...await session.send());
        output.info("no answer yet: knocked again with a fresh packet");
      },
      (error) => output.info(`re-knock failed: ${error instanceof Error ? error.message : String(error)}`)
    );
    const ports = await waitForPorts2(target.address, probePorts, startedAt, startedAt + timeoutMs);
    reknocker.stop();
    const opened = ports.every((p) => p.openAfterMs !== void 0);
    waitReport = { opened, knocks: reknocker.count(), elapsedMs: Date.now() - startedAt, ports };
    if (!opened) {
      const closed = ports.filter((p) => p.openAfterMs === void 0);
      const which = closed.map((p) => `tcp/${p.port} (${p.lastState})`).join(", ");
      throw new ClientError(
        CLIENT_ERROR_CODES.waitTimeout,
        `${which} on ${target.address} did not open within ${timeoutMs / 1e3} s after ${waitReport.knocks} knock(s); ${LIKELY_CAUSES}`,
        { details: buildReport(session, packets, waitReport, false) }
      );
    }
  }
  const report = buildReport(session, packets, waitReport, false);
  if (output.json) output.result(report);
  else for (const line of formatHuman(report)) output.line(line);
  return 0;
}
function tcpPortsToProbe(access, servicePorts) {
  const ports = /* @__PURE__ */ new Set();
  for (const item of access) {
    if (item.type === "tcp") ports.add(item.port);
    else if (item.type === "service") {
      const known = servicePorts.get(item.name);
      if (!known) {
        throw usageError(
          `--wait: the ports of service "${item.name}" are unknown: add "services": {"${item.name}": ["tcp/PORT"]} to the host's profile, or ask for tcp/PORT`
        );
      }
      for (const spec of known) if (spec.type === "tcp") ports.add(spec.port);
    }
  }
  if (ports.size === 0) throw usageError("--wait probes TCP ports, and this request opens none");
  return [...ports];
}

// packages/spa-client/src/index.ts
init_errors();

// action/src/workflow-io.ts
var import_node_crypto4 = require("node:crypto");
var import_node_fs5 = require("node:fs");
function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}
function readInput(name, env = process.env) {
  return (env[inputVariable(name)] ?? "").trim();
}
function escapeData(text2) {
  return text2.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function issue2(command, message) {
  process.stdout.write(`::${command}::${escapeData(message)}
`);
}
function maskSecret(value) {
  for (const line of value.split(/\r?\n/)) {
    const text2 = line.trim();
    if (text2 !== "") issue2("add-mask", text2);
  }
}
var logInfo = (message) => void process.stdout.write(`${message}
`);
var logError = (message) => issue2("error", message);
function appendEntry(file, what, name, value) {
  if (!file) throw new Error(`${what} is not set: not running as a GitHub Actions step`);
  const delimiter = `spa_${(0, import_node_crypto4.randomBytes)(12).toString("hex")}`;
  (0, import_node_fs5.appendFileSync)(file, `${name}<<${delimiter}
${value}
${delimiter}
`);
}
function setOutput(name, value, env = process.env) {
  appendEntry(env.GITHUB_OUTPUT, "GITHUB_OUTPUT", name, value);
}
function saveState(name, value, env = process.env) {
  appendEntry(env.GITHUB_STATE, "GITHUB_STATE", name, value);
}

// action/src/action-inputs.ts
var InputError = class extends Error {
  name = "InputError";
};
var LIST_SEPARATOR = /[\s,]+/;
function readActionInputs(env = process.env) {
  const privateKey = readInput("private-key", env);
  maskSecret(privateKey);
  const required2 = (name) => {
    const value = readInput(name, env);
    if (value === "") throw new InputError(`input "${name}" is required`);
    return value;
  };
  const list = (name) => readInput(name, env).split(LIST_SEPARATOR).filter(Boolean);
  if (privateKey === "")
    throw new InputError('input "private-key" is required (the content of the key file)');
  const services = list("services");
  if (services.length === 0) throw new InputError('input "services" is required, e.g. tcp/22');
  const optionLike = services.find((word) => word.startsWith("-"));
  if (optionLike !== void 0)
    throw new InputError(`input "services": "${optionLike.slice(0, 40)}" is not a service`);
  return {
    host: required2("host"),
    serverKey: required2("server-key"),
    privateKey,
    services,
    duration: readInput("duration", env),
    allowIp: list("allow-ip"),
    spaPort: readInput("spa-port", env),
    timeout: readInput("timeout", env)
  };
}
function knockArguments(kind, inputs, allowIp = inputs.allowIp) {
  const args = [...inputs.services, `--host=${inputs.host}`, `--server-key=${inputs.serverKey}`, "--json"];
  if (inputs.spaPort !== "") args.push(`--spa-port=${inputs.spaPort}`);
  if (allowIp.length > 0) args.push(`--allow-ip=${allowIp.join(",")}`);
  if (kind === "open") {
    args.push("--wait");
    if (inputs.duration !== "") args.push(`--duration=${inputs.duration}`);
    if (inputs.timeout !== "") args.push(`--timeout=${inputs.timeout}`);
  }
  return args;
}

// action/src/knock-step.ts
async function knock(kind, inputs, allowIp) {
  let report = null;
  const output = {
    json: true,
    verbose: true,
    line: logInfo,
    result(value) {
      report = value;
    },
    info: (text2) => logInfo(`spa-client: ${text2}`),
    // "signing ADDRESS (…)": the address that gets the port, worth seeing in the job's log.
    notice: (text2) => logInfo(`spa-client: ${text2}`)
  };
  process.env.SPA_PRIVATE_KEY = inputs.privateKey;
  try {
    await runKnock(kind, knockArguments(kind, inputs, allowIp), output);
    return { report, error: null };
  } catch (error) {
    const clientError = toClientError(error);
    const details = clientError.details;
    const sent = details?.packets !== void 0 && details.packets.length > 0;
    return {
      report: sent ? details : null,
      error: `spa-client ${kind} failed (${clientError.code}, exit ${clientError.exitCode}): ${clientError.message}`
    };
  } finally {
    delete process.env.SPA_PRIVATE_KEY;
  }
}

// action/src/state-names.ts
var STATE_SENT = "sent";
var STATE_ADDRESSES = "addresses";

// action/src/main.ts
async function main() {
  const inputs = readActionInputs();
  const { report, error } = await knock("open", inputs);
  if (report) {
    saveState(STATE_SENT, "true");
    saveState(STATE_ADDRESSES, report.request.addresses.join(","));
    setOutput("addresses", report.request.addresses.join(","));
    setOutput("server-address", report.server.addresses[0] ?? "");
    for (const line of formatHuman(report)) logInfo(line);
  }
  if (error) {
    logError(error);
    return 1;
  }
  return 0;
}
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    logError(error instanceof InputError ? error.message : `spa-action: ${String(error)}`);
    process.exitCode = 1;
  }
);
/*! Bundled license information:

@scure/base/index.js:
  (*! scure-base - MIT License (c) 2022 Paul Miller (paulmillr.com) *)
*/
