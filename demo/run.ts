/** The demo: what the suite does, step by step in plain words, in throwaway network namespaces; exits 1 if any check failed. @module */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createLab } from 'spa-test-kit/lab/netns';
import type { DemoContext } from './demo-context.js';
import { knockWalkthrough } from './knock-walkthrough.js';
import { createNarrator } from './narrator.js';
import { packetWalkthrough } from './packet-walkthrough.js';
import { relayWalkthrough } from './relay-walkthrough.js';
import { setUpServer } from './server-setup.js';
import { createTeardown } from './teardown.js';

const started = Date.now();
const teardown = createTeardown();
const dir = await mkdtemp(join(tmpdir(), 'spa-demo-'));
teardown.add(() => rm(dir, { recursive: true, force: true }));
const say = createNarrator((text) => text.replaceAll(dir, '$DEMO'));
let namespaces: string | undefined;

console.log('SPA demo: a server whose SSH port stays invisible until one signed UDP packet opens it');
console.log(`$DEMO = ${dir} (keys, configs, state; removed at the end)`);
try {
  packetWalkthrough(say);

  say.step('Three throwaway network namespaces joined by a bridge: server, client, outsider');
  const lab = await createLab(['server', 'client', 'outsider']);
  teardown.add(() => lab.destroy());
  const [server, client, outsider] = [lab.host('server'), lab.host('client'), lab.host('outsider')];
  namespaces = `spat-${lab.id}-`;
  say.check(
    true,
    `server ${server.ipv4}, client ${client.ipv4}, outsider ${outsider.ipv4} (namespaces ${namespaces}*)`,
  );

  const ctx: DemoContext = { say, teardown, dir, lab, server, client, outsider };
  const running = await setUpServer(ctx);
  await knockWalkthrough(ctx, running);
  await relayWalkthrough(ctx, running);
} catch (error) {
  say.check(
    false,
    `the demo stopped: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
  );
} finally {
  say.step('Clean up: stop sshd, spa-server and tcpdump, delete the namespaces and $DEMO');
  await teardown.run();
  const { stdout } = await execa('ip', ['netns', 'list'], { reject: false });
  const left = namespaces ? stdout.split('\n').filter((line) => line.startsWith(namespaces!)) : [];
  say.check(left.length === 0, left.length === 0 ? 'no namespace left' : `still there: ${left.join(', ')}`);
  const dirLeft = await stat(dir).then(
    () => true,
    () => false,
  );
  say.check(!dirLeft, dirLeft ? `${dir} is still there` : `${dir} removed`);
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  say.failures === 0
    ? `\n✓ every check behaved as shown (${seconds} s)`
    : `\n✗ ${say.failures} check(s) did not behave as shown (${seconds} s)`,
);
process.exit(say.failures === 0 ? 0 : 1);
