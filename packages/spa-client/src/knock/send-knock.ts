/** Seals one knock (a fresh nonce and ephemeral key every time) and sends it as a single UDP datagram. @module */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { nodeBackend } from 'spa-node';
import { type AccessItem, encodeDatagram, formatAccess, type RequestKind } from 'spa-protocol';
import type { HostAddress } from '../address/resolve-host.js';
import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';

export interface ClientKey {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export interface KnockContent {
  readonly kind: RequestKind;
  readonly serverKey: Uint8Array;
  readonly access: readonly AccessItem[];
  readonly addresses: readonly string[];
  readonly durationSeconds: number;
  /** Added to this machine's clock for the signed timestamp: a known skew of the server's (--time-offset). */
  readonly timeOffsetMs: number;
}

/** One datagram as reported by --json: where it went and which request it carried. */
export interface PacketReport {
  readonly to: string;
  readonly family: 4 | 6;
  readonly port: number;
  readonly bytes: number;
  readonly nonce: string;
  readonly timestamp: number;
  readonly addresses: readonly string[];
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Encodes a new datagram; calling it again never repeats bytes or nonce (§5.2: a retry is a new request). */
export function sealKnock(
  key: ClientKey,
  content: KnockContent,
  target: HostAddress,
  port: number,
): { datagram: Uint8Array; report: PacketReport } {
  const { datagram, knock } = encodeDatagram({
    backend: nodeBackend,
    serverPublicKey: content.serverKey,
    clientSecretKey: key.secretKey,
    clientPublicKey: key.publicKey,
    // node:crypto's CSPRNG: the default, the global Web Crypto object, costs ~0.6 ms to set up.
    random: (n) => new Uint8Array(randomBytes(n)),
    now: () => Date.now() + content.timeOffsetMs,
    request: {
      kind: content.kind,
      access: content.access,
      addresses: content.addresses,
      durationSeconds: content.durationSeconds,
    },
  });
  return {
    datagram,
    report: {
      to: target.address,
      family: target.family,
      port,
      bytes: datagram.length,
      nonce: hex(knock.nonce),
      timestamp: knock.timestampMs,
      addresses: [...content.addresses],
    },
  };
}

/**
 * Sends one datagram; resolves with the time (`performance.now()`) it was handed to the kernel, the
 * moment `--wait` counts from. The socket is bound first, so only the send itself lies between that
 * time and the datagram leaving.
 */
export function sendDatagram(datagram: Uint8Array, target: HostAddress, port: number): Promise<number> {
  const socket = createSocket({ type: target.family === 4 ? 'udp4' : 'udp6' });
  return new Promise<number>((resolve, reject) => {
    const fail = (error: Error): void => {
      socket.close();
      const code = (error as { code?: string }).code ?? error.message;
      reject(
        new ClientError(
          CLIENT_ERROR_CODES.network,
          `cannot send to ${target.address} port ${port}: ${code}`,
          {
            cause: error,
          },
        ),
      );
    };
    socket.on('error', fail);
    // Not connect(): a connected socket would turn an ICMP "port unreachable" into an error, and a
    // knock never depends on anything coming back.
    socket.bind(0, () => {
      const sentAt = performance.now();
      socket.send(datagram, port, target.address, (error) => {
        if (error) return fail(error);
        resolve(sentAt);
        // Closed once the probing that follows the knock has started: not on its way.
        setImmediate(() => socket.close());
      });
    });
  });
}

export function describeAccess(access: readonly AccessItem[]): string {
  return access.map(formatAccess).join(', ');
}
