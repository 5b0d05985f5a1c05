/** Public-address discovery over HTTPS: GET an address-echo URL (fwknop -R's format), certificate checked, answer bounded. @module */
import { request } from 'node:https';
import { rootCertificates } from 'node:tls';
import { type IpFamily, isGrantable, parseAddress } from 'spa-protocol';
import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';

export interface HttpsEchoOptions {
  /** PEM text of extra CA certificates, trusted besides the system's. */
  readonly ca?: string | undefined;
  /** The whole exchange, connect to last byte. Default 5000 ms. */
  readonly timeoutMs?: number;
}

/** An address is at most 45 characters; a page of HTML is not an answer. */
const MAX_BODY_BYTES = 256;
const DEFAULT_TIMEOUT_MS = 5000;

/**
 * The address `url` reports for a connection over `family`. The body must be the address alone
 * (surrounding whitespace allowed); redirects are not followed. Throws DISCOVERY_FAILED.
 */
export function queryHttpsEcho(
  url: string,
  family: IpFamily,
  options: HttpsEchoOptions = {},
): Promise<string> {
  const label = `${url} (IPv${family})`;
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    const finish = (error: string | undefined, address?: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      if (error === undefined) resolve(address!);
      else reject(new ClientError(CLIENT_ERROR_CODES.discoveryFailed, `${label}: ${error}`, { cause }));
    };
    const req = request(url, {
      method: 'GET',
      family,
      agent: false,
      // Certificate and host name are checked (rejectUnauthorized is the default); `ca` replaces
      // the system list, so it is given back alongside the extra certificates.
      ...(options.ca === undefined ? {} : { ca: [...rootCertificates, options.ca] }),
      headers: { accept: 'text/plain', 'user-agent': 'spa-client' },
    });
    const timer = setTimeout(
      () => finish(`no answer within ${(options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s`),
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    req.on('error', (error: Error & { code?: string }) =>
      finish(error.code ?? error.message, undefined, error),
    );
    req.on('response', (res) => {
      if (res.statusCode !== 200) return finish(`HTTP status ${res.statusCode}`);
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) finish(`answer longer than ${MAX_BODY_BYTES} bytes, not an address`);
        else chunks.push(chunk);
      });
      res.on('error', (error) => finish(error.message, undefined, error));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('latin1').trim();
        const address = parseAddress(text);
        if (!address) return finish('the answer is not an IP address');
        if (!isGrantable(address)) return finish(`the answer ${address.text} is not a unicast address`);
        if (address.family !== family) return finish(`asked over IPv${family}, answered ${address.text}`);
        finish(undefined, address.text);
      });
    });
    req.end();
  });
}
