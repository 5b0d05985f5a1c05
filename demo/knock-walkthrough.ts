/** Demo steps with the server running: filtered for all, the client's knock, ssh through it, a captured replay, status, expiry. @module */
import { startCapture } from 'spa-test-kit/lab/capture';
import { kernelDrops } from 'spa-test-kit/lab/kernel-drops';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import {
  CLIENT_BIN,
  type DemoContext,
  GRANT_SECONDS,
  KNOCK_PORT,
  SEND_DATAGRAM,
  SERVER_BIN,
  SSH_PORT,
  shown,
} from './demo-context.js';
import { replayRefused } from './replay-check.js';
import type { RunningServer } from './server-setup.js';

export async function knockWalkthrough(ctx: DemoContext, running: RunningServer): Promise<void> {
  const { say, server, client, outsider } = ctx;
  const { daemon } = running;
  const target = server.ipv4;

  say.step(`Before any knock, port ${SSH_PORT} is filtered for everyone: dropped, no answer at all`);
  const [fromClient, fromOutsider] = await Promise.all([
    probeTcp(client, target, SSH_PORT),
    probeTcp(outsider, target, SSH_PORT),
  ]);
  say.check(fromClient === 'filtered', `client ${client.ipv4}: ${fromClient}`);
  say.check(fromOutsider === 'filtered', `outsider ${outsider.ipv4}: ${fromOutsider}`);

  say.step('The client knocks (one UDP datagram) and waits for the port; tcpdump on the server records it');
  const capture = await startCapture(server, ['udp', 'dst', 'port', String(KNOCK_PORT)]);
  ctx.teardown.add(() => capture.kill());
  const args = ['open', 'ssh', '--host', target, '--config', running.profile, '--wait', '--timeout', '5'];
  const open = await shown(ctx, client, ['spa-client', ...args], CLIENT_BIN, args);
  for (const line of `${open.stdout}\n${open.stderr}`.trim().split('\n')) say.note(line);
  say.check(open.exitCode === 0, `spa-client exit code ${open.exitCode}`);
  const accepted = await daemon.waitForLog((l) => l.event === 'knock.accepted', 2000);
  const grantedAt = Date.now();
  say.check(
    accepted?.src === client.ipv4,
    `server log: knock.accepted client=${String(accepted?.client)} src=${String(accepted?.src)} duration=${String(accepted?.duration)}`,
  );

  say.step(`Port ${SSH_PORT} is now open for the client, and only for the client`);
  const greeting = 'hello from the server, over ssh';
  const ssh = await shown(
    ctx,
    client,
    ['ssh', '-p', String(SSH_PORT), '-i', '$DEMO/ssh/id_ed25519', '…', `root@${target}`, 'echo', greeting],
    'ssh',
    running.sshArgs(['echo', `'${greeting}'`]),
  );
  say.check(
    ssh.exitCode === 0 && ssh.stdout.trim() === greeting,
    `ssh: ${ssh.stdout.trim() || oneLine(ssh.stderr)}`,
  );
  const outsiderNow = await probeTcp(outsider, target, SSH_PORT);
  say.check(outsiderNow === 'filtered', `outsider ${outsider.ipv4}: ${outsiderNow}`);

  say.step('The outsider replays the captured datagram: refused, nothing opens');
  const packets = await capture.stop();
  const datagrams = packets.filter((p) => p.src === client.ipv4 && p.payload).map((p) => p.payload!);
  const sizes = [...new Set(datagrams.map((d) => d.length))].join('/');
  say.check(
    datagrams.length > 0,
    `tcpdump captured ${datagrams.length} datagram(s) of ${sizes} bytes from the client`,
  );
  const hex = datagrams.map((d) => Buffer.from(d).toString('hex'));
  const display = [
    'node',
    'send-datagram.mjs',
    target,
    String(KNOCK_PORT),
    ...hex.map((h) => `${h.slice(0, 12)}…`),
  ];
  const kernelBefore = await kernelDrops(server);
  const replay = await shown(ctx, outsider, display, process.execPath, [
    SEND_DATAGRAM,
    target,
    String(KNOCK_PORT),
    ...hex,
  ]);
  say.check(
    replay.exitCode === 0,
    replay.exitCode === 0 ? 'sent; the server sent nothing back' : oneLine(replay.stderr),
  );
  const replayed = await replayRefused(server, daemon, outsider.ipv4, kernelBefore);
  say.check(replayed.ok, replayed.line);
  const afterReplay = await probeTcp(outsider, target, SSH_PORT);
  say.check(afterReplay === 'filtered', `outsider ${outsider.ipv4}: ${afterReplay}`);

  say.step('spa-server status shows the grant, read from the kernel firewall');
  const status = await shown(
    ctx,
    server,
    ['spa-server', 'status', '-c', '$DEMO/server/server.json'],
    SERVER_BIN,
    ['status', '-c', `${ctx.dir}/server/server.json`],
  );
  for (const line of status.stdout.trim().split('\n')) say.note(line);
  const row = new RegExp(`^alice\\s+${client.ipv4.replaceAll('.', '\\.')}\\s+ssh\\s+tcp/${SSH_PORT}\\b`, 'm');
  say.check(status.exitCode === 0 && row.test(status.stdout), `alice, ${client.ipv4}, ssh tcp/${SSH_PORT}`);

  say.step(`After ${GRANT_SECONDS} s the kernel ends the grant by itself: filtered again`);
  const left = grantedAt + GRANT_SECONDS * 1000 - Date.now();
  const expired = await waitForTcp(client, target, SSH_PORT, 'filtered', left + 3000);
  const elapsedMs = Date.now() - grantedAt;
  // Closing early would be as wrong as never closing: the grant was for GRANT_SECONDS.
  say.check(
    expired === 'filtered' && elapsedMs >= (GRANT_SECONDS - 1) * 1000,
    `client ${client.ipv4}: ${expired} (${(elapsedMs / 1000).toFixed(1)} s after the grant)`,
  );
}

function oneLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
