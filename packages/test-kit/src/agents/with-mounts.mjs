// @ts-check
/** Runs a command with some paths hidden or made read-only; start it under `unshare --mount --propagation private` so nothing leaks to the machine. @module */
import { execFileSync, spawn } from 'node:child_process';
import { statSync } from 'node:fs';

// usage: unshare --mount --propagation private node with-mounts.mjs [--hide PATH | --ro DIR]... -- COMMAND ARGS...
//   --hide PATH  a file becomes /dev/null (not executable, not a regular file); a directory becomes empty
//   --ro DIR     DIR stays readable but every write fails with EROFS, even for root
const args = process.argv.slice(2);
const split = args.indexOf('--');
if (split < 1 || split === args.length - 1) {
  process.stderr.write('usage: with-mounts.mjs [--hide PATH | --ro DIR]... -- COMMAND ARGS...\n');
  process.exit(64);
}
const mount = (/** @type {string[]} */ mountArgs) => execFileSync('mount', mountArgs, { stdio: 'inherit' });
for (let i = 0; i < split; i += 2) {
  const [flag, path] = [args[i], args[i + 1]];
  if (!path) throw new Error(`${flag} needs a path`);
  if (flag === '--hide') {
    if (statSync(path).isDirectory()) mount(['-t', 'tmpfs', '-o', 'size=4k,mode=0755', 'tmpfs', path]);
    else mount(['--bind', '/dev/null', path]);
  } else if (flag === '--ro') {
    mount(['--bind', path, path]);
    mount(['-o', 'remount,bind,ro', path]);
  } else {
    throw new Error(`unknown option ${flag}`);
  }
}
const [command, ...rest] = args.slice(split + 1);
const child = spawn(/** @type {string} */ (command), rest, { stdio: 'inherit' });
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT', 'SIGHUP'])) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 128 : 1);
});
