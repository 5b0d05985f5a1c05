/** `spa-client connect --host H --port P`: knock, connect once the port opens, then relay stdio (ssh ProxyCommand). @module */
import { connectWhenOpen } from '../../knock/connect-when-open.js';
import { describePlan, describeSigned } from '../../knock/knock-explain.js';
import { prepareKnock } from '../../knock/knock-session.js';
import { resolvePlan } from '../../knock/plan.js';
import { startReknocking } from '../../knock/reknock.js';
import { relay } from '../../knock/relay.js';
import { warmTcpPath } from '../../knock/warm-tcp.js';
import { flag, parseCommandArgs, stringOption } from '../args.js';
import { CLIENT_ERROR_CODES, ClientError, usageError } from '../errors.js';
import { parsePortOption } from '../option-values.js';
import { KNOCK_OPTIONS, LIKELY_CAUSES } from './knock.js';
import { accessForPort, planOptions, timeoutOptionMs } from './plan-options.js';

const CONNECT_OPTIONS = {
  ...KNOCK_OPTIONS,
  duration: { type: 'string' },
  timeout: { type: 'string' },
} as const;

export async function runConnect(argv: readonly string[]): Promise<number> {
  const args = parseCommandArgs('connect', argv, CONNECT_OPTIONS);
  const verbose = flag(args, 'verbose');
  const info = (text: string): void => {
    if (verbose) process.stderr.write(`spa-client: ${text}\n`);
  };
  if (flag(args, 'help')) {
    const { HELP } = await import('../help.js');
    process.stdout.write(`${HELP.connect}\n`);
    return 0;
  }
  // stdout is the connection: nothing else may ever be written to it.
  if (flag(args, 'json'))
    throw usageError('connect: --json is not available (stdout carries the connection)');
  if (flag(args, 'dry-run')) throw usageError('connect: --dry-run is not available; use open --dry-run');
  if (stringOption(args, 'key') === '-')
    throw usageError('connect: --key - is refused: stdin carries the connection');
  if (flag(args, 'ipv4') && flag(args, 'ipv6')) throw usageError('connect: -4 and -6 exclude each other');
  const portText = stringOption(args, 'port');
  if (portText === undefined) throw usageError("connect: --port PORT is required (the TCP port, ssh's %p)");
  const port = parsePortOption('port', portText);
  const timeoutText = stringOption(args, 'timeout');
  const timeoutMs = timeoutOptionMs(timeoutText);

  const plan = await resolvePlan({
    kind: 'open',
    ...planOptions(args),
    spaPort: stringOption(args, 'spa-port'),
    defaultAccess: accessForPort(port),
  });
  describePlan(plan, info);
  for (const warning of plan.warnings) process.stderr.write(`spa-client: ${warning}\n`);
  const session = await prepareKnock(plan, process.env, { query: true });
  for (const note of session.notes) info(note);
  // ssh shows a ProxyCommand's stderr in the terminal: the address signed only with --verbose.
  info(describeSigned(session));
  const target = session.targets[0]!;
  // The TCP path runs once over loopback first, so nothing runs for the first time after the knock.
  await warmTcpPath(target.family);
  const { sentAt } = await session.send();
  info(`knocked on ${plan.host} (${target.address}); connecting to port ${port}`);
  const connecting = connectWhenOpen(target.address, port, sentAt + timeoutMs, { origin: sentAt });
  const reknocker = startReknocking(
    async () => {
      await session.send();
      info('not open yet: knocked again with a fresh packet');
    },
    (error) => info(`re-knock failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  let outcome: Awaited<typeof connecting>;
  try {
    outcome = await connecting;
  } finally {
    reknocker.stop();
  }
  const { socket, lastState } = outcome;
  if (!socket) {
    throw new ClientError(
      CLIENT_ERROR_CODES.waitTimeout,
      `tcp/${port} (${lastState}) on ${target.address} did not open within ${timeoutMs / 1000} s after ${reknocker.count()} knock(s); ${LIKELY_CAUSES}`,
    );
  }
  info(`connected to ${target.address} port ${port} after ${Math.round(outcome.connectedAt! - sentAt)} ms`);
  await relay(socket, process.stdin, process.stdout);
  return 0;
}
