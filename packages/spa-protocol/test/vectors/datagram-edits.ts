/** Ways to spoil the base knock (flipped bytes, re-sealed or re-signed plaintexts, non-canonical and torsioned signatures) and the weak keys a client table must refuse. @module */
import { buildPlaintext, sealPlaintext, seeded, signBody, unhex, withMac } from 'spa-test-kit/forge/forge';
import { encodeBody } from '../../src/body.js';
import { EPHEMERAL_OFFSET, HEADER_NONCE_OFFSET } from '../../src/constants.js';
import { nobleBackend as b } from '../../src/crypto/noble.js';
import { computeKeyId } from '../../src/keys.js';
import type { SignedKnock } from '../../src/request.js';
import { challengeMod8, signedMessage, signWithTorsion, torsionedKey } from '../torsion.js';
import { alice, aliceSeed, baseBody, basePlain, serverPublic } from './vector-inputs.js';

/** Sealed to server A with alice's tag and mac2: past §7 1–7, as only alice (or the server) could. */
export const reseal = (
  plain: Uint8Array,
  label: string,
  fields?: Parameters<typeof sealPlaintext>[5],
): Uint8Array => sealPlaintext(b, serverPublic, plain, seeded(b, label, 32), alice, fields);
export const resign = (knock: SignedKnock, seed: Uint8Array): Uint8Array => {
  const body = encodeBody(knock);
  return buildPlaintext(signBody(b, seed, body), body);
};

// L = 2^252 + 27742317777372353535851937790883648493: S + L is the same signature, non-canonically encoded.
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
export const addL = (sig: Uint8Array): Uint8Array => {
  const out = sig.slice();
  let s = 0n;
  for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(sig[32 + i]!);
  s += L;
  for (let i = 0; i < 32; i++) {
    out[32 + i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
};

// Torsion (§5): a signature whose R carries a small-order component verifies under the cofactored
// equation only.
export const torsionedR = (): Uint8Array => {
  const body = encodeBody(baseBody.knock);
  return buildPlaintext(signWithTorsion(aliceSeed, signedMessage(body), { rTorsion: 1 }), body);
};
// A key A + T (§1): some of its holder's signatures verify under both equations. The table refuses it.
export const aliceTorsioned = torsionedKey(aliceSeed, 1);
const bothEquationsSignable = (() => {
  const message = signedMessage(encodeBody({ ...baseBody.knock, keyId: computeKeyId(b, aliceTorsioned) }));
  for (let nonce = 0; nonce < 256; nonce++) {
    const sig = signWithTorsion(aliceSeed, message, { publicKey: aliceTorsioned, nonce });
    if (challengeMod8(sig, aliceTorsioned, message) === 0 && b.ed25519Verify(aliceTorsioned, message, sig)) {
      return true;
    }
  }
  return false;
})();
if (!bothEquationsSignable) throw new Error('no signature under A + T verifies cofactorless');
export const identityKey = unhex('0100000000000000000000000000000000000000000000000000000000000000');
export const offCurveKey = unhex('0200000000000000000000000000000000000000000000000000000000000000');

export const flip = (d: Uint8Array, at: number, bit = 1): Uint8Array => {
  const out = d.slice();
  out[at]! ^= bit;
  return out;
};
export const setByte = (d: Uint8Array, at: number, value: number): Uint8Array => {
  const out = d.slice();
  out[at] = value;
  return out;
};
export const plainWith = (edit: (pt: Uint8Array) => void): Uint8Array => {
  const pt = basePlain.slice();
  edit(pt);
  return pt;
};
export const withEphemeral = (d: Uint8Array, e: Uint8Array): Uint8Array => {
  const out = d.slice();
  out.set(e, EPHEMERAL_OFFSET);
  return withMac(b, alice, out); // E = 0 is a small-order point: the shared secret is all zero
};
export const withHeaderNonce = (d: Uint8Array, nonce: Uint8Array): Uint8Array => {
  const out = d.slice();
  out.set(nonce, HEADER_NONCE_OFFSET);
  return withMac(b, alice, out);
};
