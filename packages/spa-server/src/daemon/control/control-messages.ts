/** The daemon's control socket protocol: one JSON request line, one JSON response line, then close. @module */
import { join } from 'node:path';
import type { Grant, PortSpec } from '../../firewall/driver.js';
import type { ControlRefusal } from '../../shared/reasons.js';

/** The socket's name in stateDir (mode 0600; stateDir is 0700). */
export const CONTROL_SOCKET_NAME = 'control.sock';
/** A request line longer than this is refused (`too-large`): the requests are a few bytes. */
export const MAX_REQUEST_BYTES = 1024;
/** sun_path holds 108 bytes with the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

export const CONTROL_OPS = ['status', 'revoke-all'] as const;
export type ControlOp = (typeof CONTROL_OPS)[number];

export type { ControlRefusal };

export interface ControlRequest {
  readonly op: ControlOp;
  /** status only: false leaves the grants out (`spa-server status` needs only the pid). */
  readonly grants?: boolean;
}

/** `{"op":"status"}`: what the daemon itself holds (its ledger, not the kernel's listing). */
export interface DaemonStatus {
  readonly ok: true;
  readonly pid: number;
  readonly ports: readonly PortSpec[];
  /**
   * Present only when the daemon vouches for its table's shape: its last check found `table` (of
   * `backend`) whole
   * `checkedAgoMs` ago, and its kernel event stream runs and has reported no change to it since.
   */
  readonly shape?: { readonly backend: string; readonly table: string; readonly checkedAgoMs: number };
  /**
   * Live grants as the daemon gave them (timeoutSeconds is the time left, rounded up);
   * absent when the request said `"grants":false`.
   */
  readonly grants?: readonly Grant[];
}

/** What the daemon answers status from: its grants are built as they are written, never all at once. */
export interface DaemonStatusSource extends Omit<DaemonStatus, 'grants'> {
  readonly grants: Iterable<Grant>;
}

export type ControlResponse =
  | DaemonStatus
  | { readonly ok: true; readonly revoked: true }
  | { readonly ok: false; readonly error: ControlRefusal | 'failed'; readonly message?: string };

export function controlSocketPath(stateDir: string): string {
  return join(stateDir, CONTROL_SOCKET_NAME);
}

/** A request line as a request, or the refusal it earns. */
export function parseControlRequest(line: string): ControlRequest | ControlRefusal {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'bad-request';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'bad-request';
  const { op, grants } = value as { op?: unknown; grants?: unknown };
  if (typeof op !== 'string' || (grants !== undefined && typeof grants !== 'boolean')) return 'bad-request';
  if (!(CONTROL_OPS as readonly string[]).includes(op)) return 'unknown-op';
  return grants === undefined ? { op: op as ControlOp } : { op: op as ControlOp, grants };
}
