/** A tiny HTTPS address echo for tests (fwknop -R's format: the caller's address as text); prints "listening PORT". @module */
// Usage: node https-echo.mjs --cert FILE --key FILE [--port N] [--host ADDR] [--answer TEXT] [--status N]
// Listens on --host (default: all, both families). --answer replies with fixed text instead of the
// caller's address, as an echo behind a NAT or a lying one would; --status replies with that code.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    cert: { type: 'string' },
    key: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '::' },
    answer: { type: 'string' },
    status: { type: 'string', default: '200' },
  },
});
const server = createServer(
  { cert: readFileSync(values.cert), key: readFileSync(values.key) },
  (req, res) => {
    let address = values.answer ?? req.socket.remoteAddress ?? '';
    if (address.startsWith('::ffff:')) address = address.slice(7);
    res.writeHead(Number(values.status), { 'content-type': 'text/plain' });
    res.end(`${address}\n`);
  },
);
server.listen(Number(values.port), values.host, () =>
  process.stdout.write(`listening ${server.address().port}\n`),
);
