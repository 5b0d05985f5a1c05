/** `spa-client connect --host H --port P`: knock, connect once the port opens, then relay stdio (ssh ProxyCommand). @module */
import { knockAndConnect } from '../../knock/knock-connect.js';
import { describePlan } from '../../knock/knock-explain.js';
import { resolvePlan } from '../../knock/plan.js';
import { relay } from '../../knock/relay.js';
import { flag, parseCommandArgs, stringOption } from '../args.js';
import { usageError } from '../errors.js';
import { parsePortOption } from '../option-values.js';
import { KNOCK_OPTIONS } from './knock.js';
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
  const timeoutMs = timeoutOptionMs(stringOption(args, 'timeout'));

  const plan = await resolvePlan({
    kind: 'open',
    ...planOptions(args),
    spaPort: stringOption(args, 'spa-port'),
    defaultAccess: accessForPort(port),
  });
  describePlan(plan, info);
  for (const warning of plan.warnings) process.stderr.write(`spa-client: ${warning}\n`);
  const socket = await knockAndConnect(plan, { port, timeoutMs, env: process.env, info, warmTcp: true });
  await relay(socket, process.stdin, process.stdout);
  return 0;
}
