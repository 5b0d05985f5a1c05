/** Knock, then hold the first TCP connection to the port once it opens (re-knocking while waiting): `connect` and the agent. @module */
import type { Socket } from 'node:net';
import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';
import { connectWhenOpen } from './connect-when-open.js';
import { describeSigned, LIKELY_CAUSES } from './knock-explain.js';
import { prepareKnock } from './knock-session.js';
import type { KnockPlan } from './plan.js';
import { startReknocking } from './reknock.js';
import { warmTcpPath } from './warm-tcp.js';

export interface KnockConnectOptions {
  readonly port: number;
  readonly timeoutMs: number;
  readonly env: NodeJS.ProcessEnv;
  /** The private key already in memory (the agent); without it, the plan's key source is read. */
  readonly secretKey?: Uint8Array;
  /** What --verbose shows. */
  readonly info: (text: string) => void;
  /**
   * Run the TCP path once over loopback before the knock (warm-tcp.ts): for a fresh process, whose
   * first connection attempt would otherwise run cold after it. The resident agent's path is warm.
   */
  readonly warmTcp?: boolean;
}

/** The connected socket, or a WAIT_TIMEOUT ClientError when the port did not open before the timeout. */
export async function knockAndConnect(plan: KnockPlan, options: KnockConnectOptions): Promise<Socket> {
  const { port, timeoutMs, info } = options;
  const session = await prepareKnock(plan, options.env, {
    query: true,
    ...(options.secretKey ? { secretKey: options.secretKey } : {}),
  });
  for (const note of session.notes) info(note);
  // ssh shows a ProxyCommand's stderr in the terminal: the address signed only with --verbose.
  info(describeSigned(session));
  const target = session.targets[0]!;
  if (options.warmTcp) await warmTcpPath(target.family);
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
  return socket;
}
