/** A tiny RFC 5389 STUN Binding responder for tests (loopback or inside a lab namespace); prints "listening PORT". @module */
// Usage: node stun-responder.mjs [--port N] [--mode xor|mapped|both|error|silent|wrong-id|drop-first]
//        [--answer ADDRESS] [--count-file FILE]
// Listens on IPv4 and IPv6 (same port). --answer reports a fixed address instead of the sender's, as a
// NAT's public address would be. Every request is counted; with --count-file the count is written there.
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    mode: { type: 'string', default: 'xor' },
    answer: { type: 'string' },
    'count-file': { type: 'string' },
  },
});
const MAGIC = 0x2112a442;
let requests = 0;

function addressAttribute(type, address, port, xor, transactionId) {
  const v4 = isIPv4(address);
  const bytes = v4 ? Buffer.from(address.split('.').map(Number)) : ipv6Bytes(address);
  const value = Buffer.alloc(4 + bytes.length);
  value[1] = v4 ? 0x01 : 0x02;
  const key = Buffer.concat([Buffer.from([0x21, 0x12, 0xa4, 0x42]), transactionId]);
  value.writeUInt16BE(xor ? port ^ (MAGIC >>> 16) : port, 2);
  for (let i = 0; i < bytes.length; i++) value[4 + i] = xor ? bytes[i] ^ key[i] : bytes[i];
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value]);
}

function ipv6Bytes(text) {
  const [head, tail = ''] = text.split('::');
  const parts = (s) => (s === '' ? [] : s.split(':'));
  const h = parts(head);
  const t = parts(tail);
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(groups.flatMap((g) => [Number.parseInt(g, 16) >> 8, Number.parseInt(g, 16) & 0xff]));
}

function respond(socket, message, remote) {
  if (message.length < 20 || message.readUInt16BE(0) !== 0x0001 || message.readUInt32BE(4) !== MAGIC) return;
  requests++;
  if (values['count-file']) writeFileSync(values['count-file'], String(requests));
  const mode = values.mode;
  if (mode === 'silent' || (mode === 'drop-first' && requests === 1)) return;
  const transactionId = Buffer.from(message.subarray(8, 20));
  if (mode === 'wrong-id') transactionId[0] ^= 0xff;
  let address = values.answer ?? remote.address;
  if (address.startsWith('::ffff:')) address = address.slice(7);
  let attributes;
  let type = 0x0101;
  if (mode === 'error') {
    type = 0x0111;
    const reason = Buffer.from('Bad Request');
    const value = Buffer.concat([
      Buffer.from([0, 0, 4, 0]),
      reason,
      Buffer.alloc((4 - (reason.length % 4)) % 4),
    ]);
    const head = Buffer.alloc(4);
    head.writeUInt16BE(0x0009, 0);
    head.writeUInt16BE(4 + reason.length, 2);
    attributes = Buffer.concat([head, value]);
  } else if (mode === 'mapped') {
    attributes = addressAttribute(0x0001, address, remote.port, false, transactionId);
  } else if (mode === 'both') {
    // A decoy MAPPED-ADDRESS first: the client must prefer the XOR form.
    attributes = Buffer.concat([
      addressAttribute(0x0001, '192.0.2.99', 9, false, transactionId),
      addressAttribute(0x0020, address, remote.port, true, transactionId),
    ]);
  } else {
    attributes = addressAttribute(0x0020, address, remote.port, true, transactionId);
  }
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(attributes.length, 2);
  header.writeUInt32BE(MAGIC, 4);
  transactionId.copy(header, 8);
  socket.send(Buffer.concat([header, attributes]), remote.port, remote.address);
}

const v4 = createSocket('udp4');
v4.on('message', (m, r) => respond(v4, m, r));
v4.bind(Number(values.port), () => {
  const port = v4.address().port;
  const v6 = createSocket({ type: 'udp6', ipv6Only: true });
  v6.on('message', (m, r) => respond(v6, m, r));
  v6.on('error', () => process.stdout.write(`listening ${port}\n`)); // no IPv6 here: IPv4 only
  v6.bind(port, () => process.stdout.write(`listening ${port}\n`));
});
