/** Validation and canonical forms of every value a firewall driver passes to nft, iptables or ipset. @module */
import { isIP, SocketAddress } from 'node:net';
import { CLIENT_NAME_PATTERN } from 'spa-config/server-config';
import { comparePorts, portOnly, portText } from '../config/port-spec.js';
import { SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';
import type { Grant, GrantTarget, PortSpec, TransportProtocol } from './driver.js';

/** ipset's ceiling ((2^32 - 1) / 2 ms); nft accepts more, one limit keeps both drivers alike. */
export const MAX_TIMEOUT_SECONDS = 2_147_483;
/** Both backends bound their sets (nft `size`, ipset `maxelem`) to this many grants per family. */
export const MAX_GRANTS_PER_FAMILY = 65_536;

// The config's own rule, not a copy: a name the config accepts must reach the kernel, or that
// client's knocks would authenticate and then fail at the firewall. Both tools quote comments.
const OWNER_NAME = new RegExp(CLIENT_NAME_PATTERN);
/** Hex digits of a key id kept in an element comment after its owner's name: 48 bits. */
export const KEY_TAG_LENGTH = 12;
const KEY_TAG = new RegExp(`^[0-9a-f]{${KEY_TAG_LENGTH},}$`);
/** An owner as a comment holds it: its name, then `:` and its key's tag (older runs wrote the name alone). */
const LABEL = `${CLIENT_NAME_PATTERN.slice(1, -1)}(:[0-9a-f]{${KEY_TAG_LENGTH}})?`;
const OWNER_LABEL = new RegExp(`^${LABEL}$`);
/** What a grant's comment may hold: owner labels and a final `+N`, comma-separated (see ownerComment). */
const OWNER_COMMENT = new RegExp(`^${LABEL}(,(${LABEL}|\\+\\d+))*$`);
/** nft keeps at most 128 bytes of an element comment; ipset allows more, one limit keeps both alike. */
export const MAX_COMMENT_BYTES = 128;
// Short enough for ipset (31 chars) and iptables chains (28) once suffixed; a letter first keeps
// nft's parser from reading it as a number.
const OBJECT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,15}$/;
const NETNS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/;

/**
 * Parses an IP address into its one canonical text (IPv4 dotted quad, IPv6 compressed lower case),
 * so that the kernel's listing and the caller's value compare equal. IPv4-mapped IPv6 addresses
 * (what a dual-stack socket reports for an IPv4 sender) become IPv4: the kernel sees those packets
 * as IPv4, so an IPv6 grant for them would never match.
 */
export function canonicalAddress(address: string): { readonly family: 4 | 6; readonly address: string } {
  // Zone indices (fe80::1%eth0) are accepted by isIP but cannot be written into a set.
  const family = typeof address === 'string' && !address.includes('%') ? isIP(address) : 0;
  if (family !== 4 && family !== 6) throw invalid(`not an IP address: ${JSON.stringify(address)}`);
  const text = new SocketAddress({ address, family: family === 4 ? 'ipv4' : 'ipv6' }).address;
  const mapped = family === 6 ? MAPPED_V4.exec(text) : null;
  if (mapped?.[1]) return { family: 4, address: mapped[1] };
  return { family, address: text };
}

/** A port spec with integer ports in 1..65535 (a range's last above its first) and protocol tcp or udp. */
export function checkPort(spec: PortSpec): PortSpec {
  const { protocol, port, lastPort } = spec;
  if (protocol !== 'tcp' && protocol !== 'udp')
    throw invalid(`protocol must be tcp or udp: ${String(protocol)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw invalid(`port out of range: ${String(port)}`);
  if (lastPort !== undefined && (!Number.isInteger(lastPort) || lastPort <= port || lastPort > 65_535))
    throw invalid(`last port of a range must be in ${port + 1}..65535: ${String(lastPort)}`);
  return portOnly(spec);
}

/** Protected ports, checked, without duplicates, in a stable order (so rule text is deterministic). */
export function checkPorts(ports: readonly PortSpec[]): PortSpec[] {
  const unique = new Map<string, PortSpec>();
  for (const spec of ports) {
    const checked = checkPort(spec);
    unique.set(portText(checked), checked);
  }
  return [...unique.values()].sort(comparePorts);
}

/** A forwarded port: the gateway's protocol and port, and the internal host (canonical address) it leads to. */
export interface ForwardRule {
  readonly protocol: TransportProtocol;
  readonly port: number;
  readonly family: 4 | 6;
  readonly address: string;
  readonly toPort: number;
}

/**
 * The forwards of protected ports, checked: a single gateway port, a host address that is not
 * loopback, a port in 1..65535, one host per family and gateway port (the kernel's map has one value
 * per key). Sorted, so the rule text is deterministic.
 */
export function checkForwards(ports: readonly PortSpec[]): ForwardRule[] {
  const byKey = new Map<string, ForwardRule>();
  for (const spec of ports) {
    for (const to of spec.forward ?? []) {
      const { protocol, port, lastPort } = checkPort(spec);
      if (lastPort !== undefined) throw invalid(`a forwarded port must be a single port: ${portText(spec)}`);
      const { family, address } = checkTarget({ family: to.family, address: to.address, protocol, port });
      if (/^(127\.|::1$)/.test(address)) throw invalid(`forward to a loopback address: ${address}`);
      checkPort({ protocol, port: to.port });
      const key = `${family} ${protocol}/${port}`;
      const known = byKey.get(key);
      if (known && (known.address !== address || known.toPort !== to.port))
        throw invalid(`${portText(spec)} forwarded to two IPv${family} hosts`);
      byKey.set(key, { protocol, port, family, address, toPort: to.port });
    }
  }
  return [...byKey.values()].sort((a, b) => a.family - b.family || comparePorts(a, b));
}

/** A target with a canonical address; a family that contradicts the address is refused. */
export function checkTarget(target: GrantTarget): GrantTarget {
  const port = checkPort(target);
  const canonical = canonicalAddress(target.address);
  const mappedV4 = canonical.family === 4 && target.family === 6 && target.address.includes(':');
  if (canonical.family !== target.family && !mappedV4) {
    throw invalid(`address ${target.address} is not IPv${String(target.family)}`);
  }
  if (target.once === true && (port.protocol !== 'tcp' || port.lastPort !== undefined)) {
    throw invalid(`a one-shot grant is for one TCP port: ${portText(port)}`);
  }
  const once = target.once === true ? { once: true } : {};
  return { family: canonical.family, address: canonical.address, ...port, ...once };
}

/** A grant whose every field is safe to write into an nft or ipset command. */
export function checkGrant(grant: Grant): Grant {
  const target = checkTarget(grant);
  const { timeoutSeconds, client } = grant;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    throw invalid(
      `timeoutSeconds must be an integer in 1..${MAX_TIMEOUT_SECONDS}: ${String(timeoutSeconds)}`,
    );
  }
  if (typeof client !== 'string' || client.length > MAX_COMMENT_BYTES || !OWNER_COMMENT.test(client)) {
    throw invalid(
      `client must be owner names (${OWNER_NAME.source}), comma-separated: ${JSON.stringify(client)}`,
    );
  }
  return { ...target, timeoutSeconds, client };
}

/**
 * How an element comment names an owner: `alice:0123456789ab`, the name and the first
 * KEY_TAG_LENGTH hex digits of its key id. The kernel keeps elements across a restart, which knows
 * them only by their comments: with the tag it can tell a key rotated under the same name while the
 * daemon was stopped, and revoke what the old key opened. Not a secret (a hash of a public key, in a
 * comment only root can list). A key id that is not hex (tests' fakes) is left out.
 */
export function ownerLabel(name: string, keyId: string): string {
  return KEY_TAG.test(keyId) ? `${name}:${keyId.slice(0, KEY_TAG_LENGTH)}` : name;
}

/**
 * The element comment for a grant held by `owners` (labels from ownerLabel, in the order given): as
 * many as fit in MAX_COMMENT_BYTES, then `+N` for the N left out. Names start with a letter or
 * digit, so `+N` cannot be read as a name.
 */
export function ownerComment(owners: readonly string[]): string {
  // Most elements have one owner: its label is the comment (the ledger's status asks 100,000 times).
  const [only] = owners;
  if (owners.length === 1 && only !== undefined && OWNER_LABEL.test(only)) return only;
  const names = [...new Set(owners)];
  for (const name of names)
    if (!OWNER_LABEL.test(name)) throw invalid(`not a client name: ${JSON.stringify(name)}`);
  if (names.length === 0) throw invalid('a grant needs at least one owner');
  let kept = names.length;
  const text = (n: number): string =>
    [...names.slice(0, n), ...(n < names.length ? [`+${names.length - n}`] : [])].join(',');
  while (kept > 1 && text(kept).length > MAX_COMMENT_BYTES) kept -= 1;
  return text(kept);
}

/** The owner names in a comment read back from the kernel, without their key tags (`+N` kept as the last item). */
export function parseOwners(comment: string): string[] {
  return comment === '' ? [] : comment.split(',').map(nameOfLabel);
}

/** Each owner's key tag in a comment, in parseOwners' order: undefined where an older run wrote none (and for `+N`). */
export function parseOwnerTags(comment: string): (string | undefined)[] {
  return comment === ''
    ? []
    : comment.split(',').map((l) => {
        const at = l.indexOf(':');
        return at < 0 ? undefined : l.slice(at + 1);
      });
}

/** A comment as people read it: the owner names, comma-separated, without key tags. */
export function ownerNames(comment: string): string {
  return comment.includes(':') ? parseOwners(comment).join(',') : comment;
}

function nameOfLabel(label: string): string {
  const at = label.indexOf(':');
  return at < 0 ? label : label.slice(0, at);
}

/** One key per (family, address, protocol, port or range), to spot the same target twice. */
export function targetKey(target: GrantTarget): string {
  return `${target.family} ${target.address} ${portText(target)}${target.once === true ? ' once' : ''}`;
}

/** Checks every grant; when a target appears twice the last one wins, as if applied in order. */
export function checkGrants(grants: readonly Grant[]): Grant[] {
  const byTarget = new Map<string, Grant>();
  for (const grant of grants) {
    const checked = checkGrant(grant);
    const key = targetKey(checked);
    byTarget.delete(key);
    byTarget.set(key, checked);
  }
  return [...byTarget.values()];
}

/** Checks every target and drops duplicates. */
export function checkTargets(targets: readonly GrantTarget[]): GrantTarget[] {
  const byTarget = new Map<string, GrantTarget>();
  for (const target of targets) {
    const checked = checkTarget(target);
    byTarget.set(targetKey(checked), checked);
  }
  return [...byTarget.values()];
}

/** A table, set or chain prefix chosen in the configuration. */
export function checkObjectName(name: string, what: string): string {
  if (typeof name !== 'string' || !OBJECT_NAME.test(name)) {
    throw invalid(`${what} must match ${OBJECT_NAME.source}: ${JSON.stringify(name)}`);
  }
  return name;
}

/** A network namespace name for `ip netns exec` (tests only). */
export function checkNetnsName(name: string): string {
  if (typeof name !== 'string' || !NETNS_NAME.test(name)) {
    throw invalid(`netns must match ${NETNS_NAME.source}: ${JSON.stringify(name)}`);
  }
  return name;
}

/** Parses a protocol as nft or ipset print it (name or IANA number). */
export function parseProtocol(value: unknown): TransportProtocol | undefined {
  if (value === 'tcp' || value === 6 || value === '6') return 'tcp';
  if (value === 'udp' || value === 17 || value === '17') return 'udp';
  return undefined;
}

function invalid(message: string): ServerError {
  return new ServerError(SERVER_ERROR_CODES.firewallInvalidInput, message);
}
