/** A crypto backend that counts calls per primitive, to prove which stages a datagram reached. @module */

import { nodeBackend } from 'spa-node';
import type { CryptoBackend } from 'spa-protocol';

export type CountingBackend = CryptoBackend & { readonly calls: Record<string, number>; reset(): void };

export function countingBackend(inner: CryptoBackend = nodeBackend): CountingBackend {
  const calls: Record<string, number> = {};
  const wrapped = Object.fromEntries(
    Object.entries(inner).map(([name, value]) => [
      name,
      typeof value === 'function'
        ? (...args: unknown[]) => {
            calls[name] = (calls[name] ?? 0) + 1;
            return (value as (...a: unknown[]) => unknown)(...args);
          }
        : value,
    ]),
  ) as unknown as CryptoBackend;
  // A keyed HMAC's messages count as hmacSha256 calls: the stage they prove is the same (mac2).
  const keyed = wrapped.hmacSha256Keyed;
  return {
    ...wrapped,
    hmacSha256Keyed: (key) => {
      const mac = keyed(key);
      return (data, length) => {
        calls.hmacSha256 = (calls.hmacSha256 ?? 0) + 1;
        return mac(data, length);
      };
    },
    calls,
    reset() {
      for (const k of Object.keys(calls)) delete calls[k];
    },
  };
}
