/** Ways of feeding grants to nft, for bench/firewall-grant.ts: each returns a function that applies a batch of grants as one transaction. @module */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { type Grant, nftGrantCommands, nftTransaction } from 'spa-server/firewall';

/** Applies grants as one nft transaction; rejects when nft reports an error. */
export type Feed = (grants: readonly Grant[]) => Promise<unknown>;

/** The driver's text for grants: add, delete, add of each element (extends an existing one). */
export function grantText(table: string, grants: readonly Grant[]): string {
  return nftTransaction(nftGrantCommands(table, grants));
}

/** The same commands as nft's JSON input (`nft -j -f -`). */
export function grantJson(table: string, grants: readonly Grant[]): string {
  const set = { family: 'inet', table, name: 'allow4' };
  const keys = grants.map((g) => ({ concat: [g.address, g.protocol, g.port] }));
  const timed = grants.map((g) => ({
    elem: { val: { concat: [g.address, g.protocol, g.port] }, timeout: g.timeoutSeconds, comment: g.client },
  }));
  return JSON.stringify({
    nftables: [
      { add: { element: { ...set, elem: keys } } },
      { delete: { element: { ...set, elem: keys } } },
      { add: { element: { ...set, elem: timed } } },
    ],
  });
}

const nftIn = (ns: string, args: readonly string[]) => ['netns', 'exec', ns, 'nft', ...args];

/** A fresh `nft -f FILE` per batch, the script written to a file first (read in a few 4 KiB reads). */
export function freshFile(ns: string, table: string, dir: string): Feed {
  return async (grants) => {
    const file = join(dir, 'grants.nft');
    await writeFile(file, grantText(table, grants));
    await execa('ip', nftIn(ns, ['-f', file]));
  };
}

/** A fresh `nft -f -` whose standard input is a descriptor of that file (what a real pipe would be). */
export function freshStdinFd(ns: string, table: string, dir: string): Feed {
  return async (grants) => {
    const file = join(dir, 'grants.nft');
    await writeFile(file, grantText(table, grants));
    await execa('ip', nftIn(ns, ['-f', '-']), { inputFile: file });
  };
}

/** A fresh `nft -j JSON` per batch, the JSON as one argument: no grammar parser, no file. */
export function freshJsonArg(ns: string, table: string): Feed {
  return (grants) => execa('ip', nftIn(ns, ['-j', grantJson(table, grants)]));
}

/** A fresh `nft -j -f FILE` per batch. */
export function freshJsonFile(ns: string, table: string, dir: string): Feed {
  return async (grants) => {
    const file = join(dir, 'grants.json');
    await writeFile(file, grantJson(table, grants));
    await execa('ip', nftIn(ns, ['-j', '-f', file]));
  };
}

/** How interactiveLines() groups grants: per transaction, and whether through an `include` file in `includeDir`. */
export interface LineOptions {
  readonly perTransaction: number;
  readonly includeDir?: string;
}

/**
 * One long-lived `nft -i` fed the grants as transactions of `perTransaction` grants, each line
 * followed by the driver's acknowledgement marker, all written at once. With one grant per
 * transaction and no include, this is the nftables driver before grants were merged. Resolves
 * when nft has answered the last marker.
 */
export async function interactiveLines(
  ns: string,
  table: string,
  grants: readonly Grant[],
  options: LineOptions,
): Promise<void> {
  const child = execa('ip', nftIn(ns, ['-i']), {
    stdin: 'pipe',
    stdout: 'ignore',
    stderr: 'pipe',
    buffer: false,
    env: { HOME: '/dev/null' },
  });
  const lines: string[] = [];
  for (let at = 0; at < grants.length; at += options.perTransaction) {
    const chunk = grants.slice(at, at + options.perTransaction).map((g) => grantText(table, [g]));
    if (options.includeDir === undefined) lines.push(chunk.join('; '));
    else {
      const file = join(options.includeDir, `merge-${at}.nft`);
      await writeFile(file, `${chunk.join('\n')}\n`);
      lines.push(`include "${file}"`);
    }
  }
  const text = lines.map((line, i) => `${line}\nspa-ack ${i + 1}\n`).join('');
  let errors = 0;
  let partial = '';
  const done = new Promise<void>((resolve) => {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      const got = (partial + chunk).split('\n');
      partial = got.pop() ?? '';
      for (const line of got) {
        if (line.startsWith('Error:') && !line.includes('syntax error')) errors++;
        if (line === `spa-ack ${lines.length}`) resolve();
      }
    });
  });
  child.stdin?.write(text);
  await done;
  child.stdin?.end();
  await child;
  if (errors > 0) throw new Error(`nft -i reported ${errors} errors`);
}
