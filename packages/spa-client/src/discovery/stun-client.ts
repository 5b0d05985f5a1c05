/** Asks a STUN server (RFC 5389 Binding) for this machine's public address, over node:dgram with retransmissions. @module */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { type IpFamily, isGrantable, parseAddress } from 'spa-protocol';
import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';
import { formatHostPort, type StunServer } from './discovery-sources.js';
import {
  encodeBindingRequest,
  type MappedAddress,
  parseBindingResponse,
  STUN_TRANSACTION_ID_SIZE,
} from './stun-message.js';

export interface StunOptions {
  /** Wait before the first retransmission; doubled after each (RFC 5389 §7.2.1). Default 500 ms. */
  readonly initialRtoMs?: number;
  /** Requests sent in all, the first included. Default 3 (about 3.5 s before giving up). */
  readonly attempts?: number;
}

/** Ignore a flood of junk replies rather than spin: after this many, the query fails. */
const MAX_IGNORED_REPLIES = 64;

/** The address and port the server saw our request come from, over `family`. Throws STUN_FAILED. */
export async function queryStun(
  server: StunServer,
  family: IpFamily,
  options: StunOptions = {},
): Promise<MappedAddress> {
  const label = `STUN server ${formatHostPort(server.host, server.port)} (IPv${family})`;
  const serverAddress = await resolveFor(server.host, family, label);
  const transactionId = randomBytes(STUN_TRANSACTION_ID_SIZE);
  const request = encodeBindingRequest(transactionId);
  const attempts = options.attempts ?? 3;
  const socket = createSocket({ type: family === 4 ? 'udp4' : 'udp6' });
  try {
    return await new Promise<MappedAddress>((resolve, reject) => {
      let sent = 0;
      let ignored = 0;
      let rto = options.initialRtoMs ?? 500;
      let timer: NodeJS.Timeout | undefined;
      const fail = (message: string, cause?: unknown): void => {
        clearTimeout(timer);
        reject(new ClientError(CLIENT_ERROR_CODES.stunFailed, `${label}: ${message}`, { cause }));
      };
      const transmit = (): void => {
        if (sent >= attempts) {
          fail(`no answer after ${sent} requests`);
          return;
        }
        sent++;
        socket.send(request, server.port, serverAddress, (error) => {
          if (error) fail(`cannot send: ${(error as { code?: string }).code ?? error.message}`, error);
        });
        timer = setTimeout(transmit, rto);
        rto *= 2;
      };
      socket.on('error', (error) => fail(error.message, error));
      socket.on('message', (message, remote) => {
        // Only the server we asked may answer; the 96-bit transaction id guards the rest (§7.3).
        const fromServer = remote.port === server.port && sameAddress(remote.address, serverAddress);
        const result = fromServer ? parseBindingResponse(message, transactionId) : undefined;
        if (result?.ok) {
          // Checked as the HTTPS echo's answer is: an address that could never be granted, or one of
          // the other family, is the server's mistake (or a lie), not an address to sign.
          const mapped = parseAddress(result.mapped.address);
          if (!mapped || !isGrantable(mapped))
            fail(`the answer ${result.mapped.address} is not a unicast address`);
          else if (mapped.family !== family) fail(`asked over IPv${family}, answered ${mapped.text}`);
          else {
            clearTimeout(timer);
            resolve(result.mapped);
          }
        } else if (result?.reason === 'error-response') {
          fail(`error response ${result.errorCode ?? 'without a code'}`);
        } else if (++ignored > MAX_IGNORED_REPLIES) {
          fail('too many unexpected replies');
        }
      });
      transmit();
    });
  } finally {
    socket.close();
  }
}

async function resolveFor(host: string, family: IpFamily, label: string): Promise<string> {
  const literal = parseAddress(host);
  if (literal) {
    if (literal.family !== family)
      throw new ClientError(CLIENT_ERROR_CODES.stunFailed, `${label}: not an IPv${family} address`);
    return literal.text;
  }
  try {
    return (await lookup(host, { family })).address;
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? 'lookup failed';
    throw new ClientError(CLIENT_ERROR_CODES.stunFailed, `${label}: cannot resolve ${host} (${code})`, {
      cause,
    });
  }
}

function sameAddress(a: string, b: string): boolean {
  const x = parseAddress(a);
  const y = parseAddress(b);
  return x !== undefined && y !== undefined && x.text === y.text;
}
