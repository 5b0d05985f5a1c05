/** What the knocking commands (knock, open, close, connect) read alike from their options: the plan's inputs and --timeout. @module */
import type { AccessItem } from 'spa-protocol';
import type { PlanInputs } from '../../knock/plan.js';
import { flag, listOption, type ParsedArgs, stringOption } from '../args.js';
import { parseSecondsOption } from '../option-values.js';

const DEFAULT_TIMEOUT_SECONDS = 10;

/** The plan inputs every knocking command takes from the same options; the caller adds kind and spaPort. */
export function planOptions(args: ParsedArgs): Omit<PlanInputs, 'kind' | 'spaPort'> {
  return {
    host: stringOption(args, 'host'),
    access: args.positionals,
    serverKey: stringOption(args, 'server-key'),
    key: stringOption(args, 'key'),
    allowIp: listOption(args, 'allow-ip'),
    discover: listOption(args, 'discover'),
    discoverCa: stringOption(args, 'discover-ca'),
    duration: stringOption(args, 'duration'),
    timeOffset: stringOption(args, 'time-offset'),
    config: stringOption(args, 'config'),
    family: flag(args, 'ipv4') ? 4 : flag(args, 'ipv6') ? 6 : undefined,
    env: process.env,
  };
}

/**
 * What `--port PORT` asks for without ACCESS, in every command: the profile's service whose ports
 * include tcp/PORT (servers authorize by service), else tcp/PORT itself.
 */
export function accessForPort(port: number) {
  return (servicePorts: ReadonlyMap<string, readonly AccessItem[]>): AccessItem[] => {
    for (const [name, specs] of servicePorts) {
      if (specs.some((s) => s.type === 'tcp' && s.port === port)) return [{ type: 'service', name }];
    }
    return [{ type: 'tcp', port }];
  };
}

/** --timeout in milliseconds (0.1 s to an hour), DEFAULT_TIMEOUT_SECONDS when not given. */
export function timeoutOptionMs(timeoutText: string | undefined): number {
  return (
    1000 *
    (timeoutText === undefined
      ? DEFAULT_TIMEOUT_SECONDS
      : parseSecondsOption('timeout', timeoutText, { min: 0.1, max: 3600, fraction: true }))
  );
}
