/** The action's inputs (action.yml), checked, and the spa-client arguments they make for open and close. @module */
import { maskSecret, readInput } from './workflow-io.js';

export interface ActionInputs {
  readonly host: string;
  readonly serverKey: string;
  /** The text of the client's key file; masked in the log as soon as it is read. */
  readonly privateKey: string;
  readonly services: readonly string[];
  readonly duration: string;
  /** Empty: the client's default. */
  readonly allowIp: readonly string[];
  readonly spaPort: string;
  readonly timeout: string;
}

export class InputError extends Error {
  override readonly name = 'InputError';
}

const LIST_SEPARATOR = /[\s,]+/;

export function readActionInputs(env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const privateKey = readInput('private-key', env);
  // Before anything else can print: an error message below must not be able to carry the key.
  maskSecret(privateKey);
  const required = (name: string): string => {
    const value = readInput(name, env);
    if (value === '') throw new InputError(`input "${name}" is required`);
    return value;
  };
  const list = (name: string): string[] => readInput(name, env).split(LIST_SEPARATOR).filter(Boolean);
  if (privateKey === '')
    throw new InputError('input "private-key" is required (the content of the key file)');
  const services = list('services');
  if (services.length === 0) throw new InputError('input "services" is required, e.g. tcp/22');
  // Inputs may be built from event data (${{ github.event… }}): a word that looks like an option
  // must not become one (--key FILE, --config FILE).
  const optionLike = services.find((word) => word.startsWith('-'));
  if (optionLike !== undefined)
    throw new InputError(`input "services": "${optionLike.slice(0, 40)}" is not a service`);
  return {
    host: required('host'),
    serverKey: required('server-key'),
    privateKey,
    services,
    duration: readInput('duration', env),
    allowIp: list('allow-ip'),
    spaPort: readInput('spa-port', env),
    timeout: readInput('timeout', env),
  };
}

/** Arguments of `spa-client open`/`close` (never the key: it goes through SPA_PRIVATE_KEY, in process). */
export function knockArguments(
  kind: 'open' | 'close',
  inputs: ActionInputs,
  allowIp: readonly string[] = inputs.allowIp,
): string[] {
  // --name=value: a value is never read as an option, whatever it starts with.
  const args = [...inputs.services, `--host=${inputs.host}`, `--server-key=${inputs.serverKey}`, '--json'];
  if (inputs.spaPort !== '') args.push(`--spa-port=${inputs.spaPort}`);
  if (allowIp.length > 0) args.push(`--allow-ip=${allowIp.join(',')}`);
  if (kind === 'open') {
    // --wait probes TCP ports and refuses a request that opens none: services that are all
    // udp/PORT (WireGuard, say) are knocked for without a wait, which could never succeed.
    const waits = !inputs.services.every((service) => service.startsWith('udp/'));
    if (waits) args.push('--wait');
    if (inputs.duration !== '') args.push(`--duration=${inputs.duration}`);
    if (waits && inputs.timeout !== '') args.push(`--timeout=${inputs.timeout}`);
  }
  return args;
}
