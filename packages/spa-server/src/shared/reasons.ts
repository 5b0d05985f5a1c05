/** Every reason the server refuses a datagram for (the protocol's, docs/protocol.md §7, and its own) and a control request for. @module */
import { PROTOCOL_REFUSALS, type RefusalReason } from 'spa-protocol';

/** Reasons only the server knows, in the order the pipeline can hit them. */
export const SERVER_REFUSALS = [
  // Before the expensive checks (§7, between 7 and 8): only datagrams that passed mac2 get here.
  'rate-limited',
  'client-rate-limited',
  'queue-full',
  // After the signature, before any state is written: the store's per-client and own bounds. They
  // come before policy so that every knock that authenticated spends its nonce.
  'client-replay-full',
  'replay-full',
  // After the signature (§7, "policy").
  'policy-expired',
  'policy-source',
  'policy-service',
  'policy-duration',
  'policy-source-mode',
  'policy-addresses',
  // While committing an authenticated knock.
  'replay-store-failed',
  // replay.store "redis": Redis could not be asked within replay.timeout (whenUnreachable "refuse").
  'replay-store-unreachable',
  'reload-revoked',
  'client-grants-full',
  // The ledger already holds the kernel set's bound of grants of this address family.
  'grants-full',
  'firewall-failed',
] as const;
export type ServerRefusal = (typeof SERVER_REFUSALS)[number];

export type KnockRefusal = RefusalReason | ServerRefusal;

/** All reason codes, stable: log lines, metrics labels and the README use exactly these strings. */
export const ALL_REFUSALS: readonly KnockRefusal[] = [...PROTOCOL_REFUSALS, ...SERVER_REFUSALS];

/** Why a control request was refused: counted (`spa_control_refused_total{reason}`), never a crash. */
export const CONTROL_REFUSALS = ['too-large', 'bad-request', 'unknown-op', 'timeout', 'busy'] as const;
export type ControlRefusal = (typeof CONTROL_REFUSALS)[number];

/**
 * How a hook run ended (`spa_hook_runs_total{event,result}`): ok (exit 0), failed (another exit, a
 * signal, or the program could not start), timeout (killed), dropped (the queue was full: never run).
 */
export const HOOK_RESULTS = ['ok', 'failed', 'timeout', 'dropped'] as const;
export type HookResult = (typeof HOOK_RESULTS)[number];
