/** `spa-client open` and `spa-client close`: send the knock, and with --wait probe until the ports open. @module */
import type { AccessItem } from 'spa-protocol';
import { describePlan, describeSigned, LIKELY_CAUSES } from '../../knock/knock-explain.js';
import { buildReport, formatHuman, type WaitReport } from '../../knock/knock-report.js';
import { prepareKnock } from '../../knock/knock-session.js';
import { resolvePlan } from '../../knock/plan.js';
import { createTiming } from '../../knock/timing.js';
import { flag, type OptionSpec, parseCommandArgs, stringOption } from '../args.js';
import { CLIENT_ERROR_CODES, ClientError, usageError } from '../errors.js';
import { parsePortOption } from '../option-values.js';
import type { Output } from '../output.js';
import { createOutput, writeOut } from '../output.js';
import { accessForPort, planOptions, timeoutOptionMs } from './plan-options.js';

export const KNOCK_OPTIONS: OptionSpec = {
  host: { type: 'string' },
  'server-key': { type: 'string' },
  port: { type: 'string' },
  'spa-port': { type: 'string' },
  'time-offset': { type: 'string' },
  key: { type: 'string' },
  'allow-ip': { type: 'string', multiple: true },
  discover: { type: 'string', multiple: true },
  'discover-ca': { type: 'string' },
  ipv4: { type: 'boolean', short: '4' },
  ipv6: { type: 'boolean', short: '6' },
  'dry-run': { type: 'boolean' },
};

const OPEN_OPTIONS: OptionSpec = {
  ...KNOCK_OPTIONS,
  duration: { type: 'string' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
};

export async function runKnock(
  kind: 'open' | 'close',
  argv: readonly string[],
  out?: Output,
): Promise<number> {
  const args = parseCommandArgs(kind, argv, kind === 'open' ? OPEN_OPTIONS : KNOCK_OPTIONS);
  const output = out ?? createOutput(flag(args, 'json'), flag(args, 'verbose'));
  const timing = createTiming(output.verbose);
  timing.mark('arguments read');
  if (flag(args, 'help')) {
    const { HELP } = await import('../help.js');
    writeOut(1, `${HELP[kind]}\n`);
    return 0;
  }
  if (flag(args, 'ipv4') && flag(args, 'ipv6')) throw usageError(`${kind}: -4 and -6 exclude each other`);
  const portText = stringOption(args, 'port');
  const port = portText === undefined ? undefined : parsePortOption('port', portText);
  const wait = flag(args, 'wait');
  // --port is the TCP port to reach, as for connect; before, open and close took it for the UDP
  // port, so a --port beside ACCESS that does nothing is refused rather than silently ignored.
  if (port !== undefined && args.positionals.length > 0 && !wait) {
    throw usageError(
      `${kind}: --port names the TCP port to ${kind} (the server's UDP port is --spa-port); with ACCESS, --port only tells --wait which port to probe`,
    );
  }
  const dryRun = flag(args, 'dry-run');
  const timeoutText = stringOption(args, 'timeout');
  if (timeoutText !== undefined && !wait) throw usageError('--timeout only applies with --wait');
  if (wait && dryRun) throw usageError('--wait and --dry-run exclude each other');
  const timeoutMs = timeoutOptionMs(timeoutText);

  const plan = await resolvePlan({
    kind,
    ...planOptions(args),
    spaPort: stringOption(args, 'spa-port'),
    ...(port === undefined ? {} : { defaultAccess: accessForPort(port) }),
  });
  // Known before anything is sent, so a --wait that could never succeed fails at once.
  const probePorts =
    wait && port !== undefined ? [port] : wait ? tcpPortsToProbe(plan.access, plan.servicePorts) : [];
  timing.mark('plan resolved');
  describePlan(plan, output.info);
  for (const warning of plan.warnings) output.notice(warning);
  const session = await prepareKnock(plan, process.env, { query: !dryRun });
  for (const note of session.notes) output.info(note);
  output.notice(describeSigned(session));
  timing.mark('knock prepared');

  if (dryRun) {
    const report = buildReport(session, session.preview(), null, true);
    if (output.json) output.result(report);
    else for (const line of formatHuman(report)) output.line(line);
    return 0;
  }

  // Loaded, and the TCP path run once over loopback, before the knock goes out: between the knock and
  // the first SYN, and between the SYN-ACK and the connection, nothing runs for the first time.
  // Only with --wait: node:net and timers are not needed by a plain open.
  let waiting: Awaited<ReturnType<typeof loadWaiting>> | undefined;
  if (wait) {
    waiting = await loadWaiting();
    timing.mark('probing loaded');
    await waiting.warmTcpPath(session.targets[0]!.family);
    timing.mark('tcp path warmed');
  }
  const { packets, sentAt } = await session.send();
  timing.mark('knock sent');
  output.info(
    `sent ${packets.length} datagram(s) to ${packets.map((p) => p.to).join(', ')} port ${plan.spaPort}`,
  );
  let waitReport: WaitReport | null = null;
  if (waiting) {
    const { startReknocking, waitForPorts } = waiting;
    const target = session.targets[0]!;
    const waited = waitForPorts(target.address, probePorts, sentAt, sentAt + timeoutMs, timing.mark);
    // Started after the first probe: the knock itself was the first of its count.
    const reknocker = startReknocking(
      async () => {
        packets.push(...(await session.send()).packets);
        output.info('no answer yet: knocked again with a fresh packet');
      },
      (error) => output.info(`re-knock failed: ${error instanceof Error ? error.message : String(error)}`),
    );
    const ports = await waited;
    reknocker.stop();
    for (const line of timing.lines()) output.info(line);
    const opened = ports.every((p) => p.openAfterMs !== undefined);
    waitReport = {
      opened,
      knocks: reknocker.count(),
      elapsedMs: Math.round(performance.now() - sentAt),
      ports,
    };
    if (!opened) {
      const closed = ports.filter((p) => p.openAfterMs === undefined);
      const which = closed.map((p) => `tcp/${p.port} (${p.lastState})`).join(', ');
      throw new ClientError(
        CLIENT_ERROR_CODES.waitTimeout,
        `${which} on ${target.address} did not open within ${timeoutMs / 1000} s after ${waitReport.knocks} knock(s); ${LIKELY_CAUSES}`,
        { details: buildReport(session, packets, waitReport, false) },
      );
    }
  }
  const report = buildReport(session, packets, waitReport, false);
  if (output.json) output.result(report);
  else for (const line of formatHuman(report)) output.line(line);
  return 0;
}

/** What --wait needs, evaluated only then (the bundle keeps dynamic imports lazy). */
async function loadWaiting() {
  const [reknock, waitPorts, warm] = await Promise.all([
    import('../../knock/reknock.js'),
    import('../../knock/wait-ports.js'),
    import('../../knock/warm-tcp.js'),
  ]);
  return {
    startReknocking: reknock.startReknocking,
    waitForPorts: waitPorts.waitForPorts,
    warmTcpPath: warm.warmTcpPath,
  };
}

/** The TCP ports behind the request: tcp/PORT as named, service names through the profile's services map. */
export function tcpPortsToProbe(
  access: readonly AccessItem[],
  servicePorts: ReadonlyMap<string, readonly AccessItem[]>,
): number[] {
  const ports = new Set<number>();
  for (const item of access) {
    if (item.type === 'tcp') ports.add(item.port);
    else if (item.type === 'service') {
      const known = servicePorts.get(item.name);
      if (!known) {
        throw usageError(
          `--wait: the ports of service "${item.name}" are unknown: add "services": {"${item.name}": ["tcp/PORT"]} to the host's profile, or ask for tcp/PORT`,
        );
      }
      for (const spec of known) if (spec.type === 'tcp') ports.add(spec.port);
    }
  }
  if (ports.size === 0) throw usageError('--wait probes TCP ports, and this request opens none');
  return [...ports];
}
