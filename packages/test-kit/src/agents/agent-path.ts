/** Paths of the agents: small scripts the tests start as processes, inside namespaces or on loopback. @module */
import { fileURLToPath } from 'node:url';

export type AgentName =
  | 'fuzz-sender.mjs'
  | 'hold-connection.mjs'
  | 'hook-record.mjs'
  | 'https-echo.mjs'
  | 'probe-port.mjs'
  | 'probe-window.mjs'
  | 'relay-late.py'
  | 'send-datagram.mjs'
  | 'send-spaced.mjs'
  | 'stun-responder.mjs'
  | 'tcp-service.mjs'
  | 'with-mounts.mjs';

/** The absolute path of an agent, to run with `node` (or python3 for relay-late.py). */
export const agentPath = (name: AgentName): string => fileURLToPath(new URL(`./${name}`, import.meta.url));
