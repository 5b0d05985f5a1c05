/** A synthetic knock through the check path at start, so the first real knock does not pay for cold code. @module */
import { ClientTable, computeKeyId, encodeDatagram, parseAddress, systemRandom } from 'spa-protocol';
import type { ResolvedClient } from '../config/resolved-config.js';
import { targetsFor } from '../grants/grant-keeper-api.js';
import { ReplayIndex } from '../replay/replay-index.js';
import { admitKnock } from './admit.js';
import { authenticate, precheck } from './authenticate.js';
import { applyPolicy } from './policy.js';
import { advanceTags, hexOf, type Runtime } from './runtime.js';

/** TEST-NET-1 (RFC 5737): never routed, so even a grant made by mistake would reach nobody. */
const WARM_ADDRESS = '192.0.2.1';

/** How far the synthetic knock got: `granted` means policy allowed it (nothing is granted). */
export type WarmResult = 'granted' | 'refused';

/**
 * On a fresh process the first knock costs several times a warm one: V8 compiles each function on its
 * first call, OpenSSL sets up its decoders on the first key import, the first cipher and HKDF load their
 * implementations. This runs one knock, made with a throwaway client key, through the same functions the
 * pipeline calls (precheck, authenticate, admit, policy, grant targets), against a throwaway client
 * table and replay index under the server's own keys: the real replay store, firewall, metrics and log
 * are never touched, and nothing is granted. Never throws: a failure costs only the warmth.
 */
export function warmCheckPath(rt: Runtime, nowMs: number): WarmResult {
  try {
    return _warmOnce(rt, nowMs);
  } catch {
    return 'refused';
  }
}

function _warmOnce(rt: Runtime, nowMs: number): WarmResult {
  const { backend } = rt.ctx;
  const seed = systemRandom(32);
  const publicKey = backend.ed25519PublicKey(seed);
  const keyId = computeKeyId(backend, publicKey);
  const service = rt.limits.services.keys().next().value;
  const client: ResolvedClient = {
    name: 'warm-up',
    keyField: 'warm-up',
    publicKey,
    keyIdHex: hexOf(keyId),
    services: service === undefined ? [] : [service],
    maxDurationSeconds: rt.limits.maxDurationSeconds,
    sourceNetworks: [],
    allowSourceAddress: false,
    oneShot: false,
    expiresAtMs: undefined,
  };
  const scratch: Runtime = {
    ...rt,
    clients: new Map([[client.keyIdHex, client]]),
    table: new ClientTable(rt.ctx, [client]),
  };
  advanceTags(scratch, nowMs);
  const { datagram } = encodeDatagram({
    backend,
    serverPublicKey: rt.ctx.serverPublicKey,
    clientSecretKey: seed,
    clientPublicKey: publicKey,
    request: {
      kind: 'open',
      access: service === undefined ? [] : [{ type: 'service', name: service }],
      addresses: [WARM_ADDRESS],
      durationSeconds: 0,
    },
    now: () => nowMs,
  });
  seed.fill(0);

  const index = new ReplayIndex();
  const entry = (id: Uint8Array, nonce: Uint8Array): string => hexOf(id) + hexOf(nonce);
  const replay = {
    check: (id: Uint8Array, nonce: Uint8Array) =>
      index.has(entry(id, nonce)) ? ('replay' as const) : undefined,
    reserve(id: Uint8Array, nonce: Uint8Array, timestampMs: number) {
      index.add(entry(id, nonce), timestampMs);
      return undefined;
    },
  };
  const early = precheck(scratch, datagram, nowMs, () => undefined);
  if (!early.ok) return 'refused';
  const auth = authenticate(scratch, replay, datagram, early.value, nowMs);
  if (!auth.ok || admitKnock(replay, auth.value.knock)) return 'refused';
  const source = parseAddress(WARM_ADDRESS);
  if (!source) return 'refused';
  const policy = applyPolicy(auth.value.knock, client, source, rt.limits, nowMs);
  if (!policy.ok) return 'refused';
  targetsFor(policy.decision.addresses, policy.decision.ports, client.oneShot);
  return 'granted';
}
