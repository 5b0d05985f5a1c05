/** Demo step: an on-path attacker sends a copy of the client's knock first, from its own address; it opens nothing for it. @module */
import { startCapture } from 'spa-test-kit/lab/capture';
import { kernelDrops } from 'spa-test-kit/lab/kernel-drops';
import { probeTcp } from 'spa-test-kit/lab/probe';
import { CLIENT_BIN, type DemoContext, KNOCK_PORT, SEND_DATAGRAM, SSH_PORT, shown } from './demo-context.js';
import { replayRefused } from './replay-check.js';
import type { RunningServer } from './server-setup.js';

const HOLD_TABLE = 'demo_hold';

export async function relayWalkthrough(ctx: DemoContext, running: RunningServer): Promise<void> {
  const { say, server, client, outsider } = ctx;
  const { daemon } = running;
  const target = server.ipv4;

  say.step(
    "An attacker on the path holds the client's next knock back and sends a copy first, from its own address",
  );
  // The path is played by the server's namespace: a table of its own drops the client's knocks
  // before spa-server sees them, while tcpdump (which sees packets before the firewall) records them.
  const hold = [
    `add table inet ${HOLD_TABLE}`,
    `add chain inet ${HOLD_TABLE} in { type filter hook input priority -10; }`,
    `add rule inet ${HOLD_TABLE} in ip saddr ${client.ipv4} udp dport ${KNOCK_PORT} drop`,
  ];
  await server.exec('nft', ['-f', '-'], { input: `${hold.join('\n')}\n` });
  ctx.teardown.add(async () => {
    await server.exec('nft', ['delete', 'table', 'inet', HOLD_TABLE], { reject: false });
  });
  const capture = await startCapture(server, ['udp', 'dst', 'port', String(KNOCK_PORT)]);
  ctx.teardown.add(() => capture.kill());
  const args = ['open', 'ssh', '--host', target, '--config', running.profile];
  const open = await shown(ctx, client, ['spa-client', ...args], CLIENT_BIN, args);
  say.check(open.exitCode === 0, `spa-client exit code ${open.exitCode}; its knock is held back`);
  const packets = await capture.stop();
  const knock = packets.find((p) => p.src === client.ipv4 && p.payload)?.payload;
  const hex = knock ? Buffer.from(knock).toString('hex') : '';
  const sendArgs = (h: string) => [SEND_DATAGRAM, target, String(KNOCK_PORT), h];
  const copy = await shown(
    ctx,
    outsider,
    ['node', 'send-datagram.mjs', target, String(KNOCK_PORT), `${hex.slice(0, 12)}…`],
    process.execPath,
    sendArgs(hex),
  );
  const accepted = await daemon.waitForLog(
    (l) => l.event === 'knock.accepted' && l.src === outsider.ipv4,
    2000,
  );
  const opened = Array.isArray(accepted?.addresses) ? accepted.addresses.join(',') : '?';
  say.check(
    copy.exitCode === 0 && opened === client.ipv4,
    `server log: knock.accepted src=${String(accepted?.src)} addresses=${opened}: the copy opens only the address the client signed`,
  );
  const [fromOutsider, fromClient] = await Promise.all([
    probeTcp(outsider, target, SSH_PORT),
    probeTcp(client, target, SSH_PORT),
  ]);
  say.check(fromOutsider === 'filtered', `outsider ${outsider.ipv4}: ${fromOutsider}`);
  say.check(fromClient === 'open', `client ${client.ipv4}: ${fromClient}`);

  say.step("The client's own knock arrives late: a replay, refused; the client keeps its access");
  await server.exec('nft', ['delete', 'table', 'inet', HOLD_TABLE], { reject: false });
  const kernelBefore = await kernelDrops(server);
  await shown(
    ctx,
    client,
    ['node', 'send-datagram.mjs', target, String(KNOCK_PORT), `${hex.slice(0, 12)}…`],
    process.execPath,
    sendArgs(hex),
  );
  const replayed = await replayRefused(server, daemon, client.ipv4, kernelBefore);
  say.check(replayed.ok, replayed.line);
}
