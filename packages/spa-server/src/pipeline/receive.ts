/** UDP sockets for every listen address: read-only, the daemon never sends a byte back on them. @module */
import { createSocket, type Socket } from 'node:dgram';
import type { ListenAddress } from '../config/resolved-config.js';
import { formatHostPort } from '../observability/metrics-http.js';
import { describeSystemError } from '../shared/describe-system-error.js';
import { SERVER_ERROR_CODES, ServerError } from '../shared/server-error.js';
import { coalesceReads, type ReadCoalescing } from './read-coalescing.js';

/** Asked for; the kernel caps it at net.core.rmem_max. Room for bursts while a batch is being checked. */
export const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

export type DatagramHandler = (data: Uint8Array, address: string, port: number) => void;

export interface Receiver {
  /** What was bound, with real ports when 0 was asked. */
  readonly addresses: readonly ListenAddress[];
  close(): Promise<void>;
}

/**
 * IPv4 addresses get udp4 sockets, IPv6 ones udp6 with ipv6Only, so `0.0.0.0` and `::` can share a
 * port and IPv4 senders are never reported as `::ffff:` mapped addresses.
 */
export async function bindReceivers(
  listen: readonly ListenAddress[],
  onDatagram: DatagramHandler,
  onError: (error: Error, at: ListenAddress) => void,
): Promise<Receiver> {
  const sockets: Socket[] = [];
  const coalescing: ReadCoalescing[] = [];
  const addresses: ListenAddress[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of coalescing.splice(0)) c.stop();
    await Promise.all(sockets.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  };
  try {
    for (const at of listen) {
      const socket = await bindOne(at);
      sockets.push(socket);
      const port = socket.address().port;
      const bound = { address: at.address, port };
      addresses.push(bound);
      socket.on('error', (error) => onError(error, bound));
      // Under a flood, reads in batches (read-coalescing.ts); a quiet socket is read as it always was.
      const batches = coalesceReads(socket, { onError: (error) => onError(error, bound) });
      if (batches) {
        coalescing.push(batches);
        socket.once('close', () => batches.stop());
        socket.on('message', (data, rinfo) => {
          batches.read();
          onDatagram(data, rinfo.address, rinfo.port);
        });
      } else {
        socket.on('message', (data, rinfo) => onDatagram(data, rinfo.address, rinfo.port));
      }
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  return { addresses, close: closeAll };
}

function bindOne(at: ListenAddress): Promise<Socket> {
  const v6 = at.address.includes(':');
  const family = v6 ? 6 : 4;
  // The address is an IP literal (the schema's check): bind's lookup need not ask dns.lookup, whose
  // test of it runs node:net's IPv6 pattern, compiled at first use: ~10 ms of every start.
  const lookup = (address: string, _: unknown, done: (e: null, a: string, f: number) => void): void =>
    done(null, address, family);
  const socket = createSocket(v6 ? { type: 'udp6', ipv6Only: true, lookup } : { type: 'udp4', lookup });
  return new Promise((resolve, reject) => {
    const fail = (cause: Error): void => {
      socket.close();
      reject(
        new ServerError(
          SERVER_ERROR_CODES.listenFailed,
          `listen: cannot bind UDP ${formatHostPort(at)}: ${describeSystemError(cause)}`,
          { cause },
        ),
      );
    };
    socket.once('error', fail);
    socket.bind({ address: at.address, port: at.port, exclusive: true }, () => {
      socket.off('error', fail);
      try {
        socket.setRecvBufferSize(RECV_BUFFER_BYTES);
      } catch {
        // Best effort: the default buffer still works, it only absorbs smaller bursts.
      }
      resolve(socket);
    });
  });
}
