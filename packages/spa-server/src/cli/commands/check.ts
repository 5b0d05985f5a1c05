/** `spa-server check`: validates the configuration and its keys without touching anything. @module */
import { isWeakEd25519PublicKey } from 'spa-protocol';
import { loadConfig } from '../../config/load-config.js';
import { portText } from '../../config/port-spec.js';
import type { PortSpec, ResolvedConfig } from '../../config/resolved-config.js';
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import { stateDirProblem } from '../../shared/state-dir.js';

export interface CheckOptions {
  readonly config: string;
}

/** Prints `ok: ...` and returns; a bad config throws CONFIG_INVALID, which the CLI prints line by line (exit 78). */
export async function runCheck(options: CheckOptions, now: number = Date.now()): Promise<void> {
  const config = await loadConfig(options.config);
  // The daemon makes §1's subgroup check of new keys after it starts; a check makes it now, for all.
  const weak = config.clients
    .filter((c) => isWeakEd25519PublicKey(c.publicKey))
    .map(
      (c) => `${c.keyField}: client public key is a small-order, torsioned, non-canonical or invalid point`,
    );
  // The start refuses such a stateDir: a check that passed and a restart that exits 78 would leave
  // the ports dropped with no daemon to open them.
  const stateDir = await stateDirProblem(config.stateDir);
  const problems = stateDir === undefined ? weak : [...weak, stateDir];
  if (problems.length > 0)
    throw new ServerError(SERVER_ERROR_CODES.configInvalid, problems[0]!, { problems });
  for (const warning of configWarnings(config, now)) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(`${summarise(config)}\n`);
}

/** `ok: 2 clients, 2 services, ports tcp/22, tcp/80, tcp/443, tcp/15432 → 10.0.0.5:5432` */
export function summarise(config: ResolvedConfig): string {
  const ports = [...new Set([...config.services.values()].flat().map(describePort))];
  const n = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `ok: ${n(config.clients.length, 'client')}, ${n(config.services.size, 'service')}, ports ${ports.join(', ')}`;
}

/** A port's text, and where a forwarded one leads (`tcp/15432 → 10.0.0.5:5432 [fd00::5]:5432`). */
function describePort(spec: PortSpec): string {
  const to = (spec.forward ?? []).map((f) =>
    f.family === 6 ? `[${f.address}]:${f.port}` : `${f.address}:${f.port}`,
  );
  return to.length === 0 ? portText(spec) : `${portText(spec)} → ${to.join(' ')}`;
}

/** Valid but probably not meant: keys already expired, a server nobody can knock on. */
export function configWarnings(config: ResolvedConfig, now: number): string[] {
  const warnings: string[] = [];
  for (const client of config.clients) {
    if (client.expiresAtMs !== undefined && client.expiresAtMs <= now) {
      warnings.push(`client "${client.name}": key expired ${new Date(client.expiresAtMs).toISOString()}`);
    }
  }
  if (config.clients.length === 0) warnings.push('no clients: every protected port stays closed');
  return warnings;
}
