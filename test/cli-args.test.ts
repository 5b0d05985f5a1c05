/** Both CLIs on random command lines (a fixed-seed sample, run in a namespace with nothing to reach): a documented exit code, never an internal error or an unasked-for stack trace. */
import { rm } from 'node:fs/promises';
import fc from 'fast-check';
import { clientArgs, type Fixtures, makeFixtures, serverArgs } from 'spa-test-kit/build/cli-arguments';
import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { CLIENT_BIN } from 'spa-test-kit/processes/client-process';
import { SERVER_BIN } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SEED = 20_261_125;
const RUNS = 40;
const CONCURRENCY = 4;
/** The READMEs' exit codes; 70 (the client's "internal error") means a bug and is not among them. */
const SERVER_EXITS = [0, 1, 3, 64, 78];
const CLIENT_EXITS = [0, 64, 65, 68, 69, 73, 74, 75, 76, 78];

describe('command lines nobody should type', () => {
  let lab: Lab;
  let box: Host;
  let f: Fixtures;
  beforeAll(async () => {
    // One namespace with only loopback reachable: a knock that parses goes nowhere but 127.0.0.1.
    lab = await createLab(['box']);
    box = lab.host('box');
    f = await makeFixtures(box);
  });
  afterAll(async () => {
    await lab?.destroy();
    if (f) await rm(f.dir, { recursive: true, force: true });
  });

  async function runAll(bin: string, samples: string[][], exits: number[]) {
    const problems: string[] = [];
    const queue = [...samples];
    const worker = async () => {
      for (let args = queue.shift(); args; args = queue.shift()) {
        const r = await box.exec(bin, args, { reject: false, timeout: 15_000, input: '' });
        const stderr = String(r.stderr);
        const verbose = args.includes('--verbose') || args.includes('-v');
        const why = [
          r.timedOut && 'did not finish within 15 s',
          !exits.includes(r.exitCode ?? -1) && `exit ${r.exitCode ?? r.signal}`,
          !verbose && /^\s+at .+\(.+:\d+:\d+\)$/m.test(stderr) && 'a stack trace without --verbose',
          /internal error|TypeError|ReferenceError|RangeError|Cannot read prop/.test(stderr) &&
            'an internal error',
          r.exitCode !== 0 && stderr.trim() === '' && 'failed silently',
        ].filter(Boolean);
        if (why.length > 0)
          problems.push(`${JSON.stringify(args)}: ${why.join(', ')}\n${stderr.slice(0, 400)}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return problems;
  }

  it(`spa-server: ${RUNS} random command lines`, async () => {
    const samples = fc.sample(serverArgs(f), { seed: SEED, numRuns: RUNS });
    expect(await runAll(SERVER_BIN, samples, SERVER_EXITS)).toEqual([]);
  });

  it(`spa-client: ${RUNS} random command lines`, async () => {
    const samples = fc.sample(clientArgs(f), { seed: SEED, numRuns: RUNS });
    expect(await runAll(CLIENT_BIN, samples, CLIENT_EXITS)).toEqual([]);
  });
});
