/** Reads a classic pcap stream (tcpdump -w) of Ethernet frames into IPv4/IPv6 packets with their UDP/TCP/ICMP fields. @module */

export interface CapturedPacket {
  /** 'ipv4', 'ipv6', or the EtherType in hex for anything else (ARP is '0806'). */
  readonly family: 'ipv4' | 'ipv6' | string;
  readonly src: string;
  readonly dst: string;
  /** IP protocol number (17 UDP, 6 TCP, 1 ICMP, 58 ICMPv6); -1 when not IP. */
  readonly protocol: number;
  readonly srcPort?: number;
  readonly dstPort?: number;
  /** ICMP/ICMPv6 type. */
  readonly icmpType?: number;
  /** The UDP payload. */
  readonly payload?: Uint8Array;
}

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
const LINKTYPE_ETHERNET = 1;
const ETHER_HEADER = 14;

/** Parses a whole capture; throws on anything but a little- or big-endian microsecond/nanosecond pcap of Ethernet. */
export function parsePcap(bytes: Uint8Array): CapturedPacket[] {
  if (bytes.length < GLOBAL_HEADER) throw new Error(`pcap: ${bytes.length} bytes, no global header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const little = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  if (!little && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error('pcap: bad magic');
  const linkType = view.getUint32(20, little);
  if (linkType !== LINKTYPE_ETHERNET) throw new Error(`pcap: link type ${linkType}, expected Ethernet`);
  const packets: CapturedPacket[] = [];
  let offset = GLOBAL_HEADER;
  // A capture cut short by SIGINT may end in a partial record: it is ignored.
  while (offset + RECORD_HEADER <= bytes.length) {
    const capturedLength = view.getUint32(offset + 8, little);
    const start = offset + RECORD_HEADER;
    if (start + capturedLength > bytes.length) break;
    packets.push(parseFrame(bytes.subarray(start, start + capturedLength)));
    offset = start + capturedLength;
  }
  return packets;
}

function parseFrame(frame: Uint8Array): CapturedPacket {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const etherType = view.getUint16(12, false);
  if (etherType === 0x0800) {
    const headerLength = (frame[ETHER_HEADER]! & 0x0f) * 4;
    const src = frame.subarray(ETHER_HEADER + 12, ETHER_HEADER + 16).join('.');
    const dst = frame.subarray(ETHER_HEADER + 16, ETHER_HEADER + 20).join('.');
    return transport('ipv4', src, dst, frame[ETHER_HEADER + 9]!, frame.subarray(ETHER_HEADER + headerLength));
  }
  if (etherType === 0x86dd) {
    const src = ipv6Text(frame.subarray(ETHER_HEADER + 8, ETHER_HEADER + 24));
    const dst = ipv6Text(frame.subarray(ETHER_HEADER + 24, ETHER_HEADER + 40));
    // Extension headers are not followed: nothing in these tests sends them.
    return transport('ipv6', src, dst, frame[ETHER_HEADER + 6]!, frame.subarray(ETHER_HEADER + 40));
  }
  return { family: etherType.toString(16).padStart(4, '0'), src: '', dst: '', protocol: -1 };
}

function transport(
  family: 'ipv4' | 'ipv6',
  src: string,
  dst: string,
  protocol: number,
  body: Uint8Array,
): CapturedPacket {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if ((protocol === 17 || protocol === 6) && body.length >= 4) {
    const ports = { srcPort: view.getUint16(0, false), dstPort: view.getUint16(2, false) };
    if (protocol === 6 || body.length < 8) return { family, src, dst, protocol, ...ports };
    const udpLength = view.getUint16(4, false);
    return { family, src, dst, protocol, ...ports, payload: body.slice(8, Math.max(8, udpLength)) };
  }
  if ((protocol === 1 || protocol === 58) && body.length >= 1) {
    return { family, src, dst, protocol, icmpType: body[0]! };
  }
  return { family, src, dst, protocol };
}

function ipv6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // WHATWG URL parsing compresses an IPv6 address the way `ip` prints it (RFC 5952), so text compares.
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}
