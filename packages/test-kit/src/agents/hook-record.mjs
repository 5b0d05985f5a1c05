/** A hook for tests: appends the event it read on stdin as one line to FILE, then stays HANG_MS (a hook that hangs). @module */
import { appendFileSync } from 'node:fs';

const [file, hangMs = '0'] = process.argv.slice(2);
let stdin = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  stdin += chunk;
});
process.stdin.on('end', () => {
  appendFileSync(file, `${JSON.stringify({ event: JSON.parse(stdin), ranAt: Date.now() })}\n`);
  setTimeout(() => {}, Number(hangMs));
});
