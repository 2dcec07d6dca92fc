import { shake128 } from '@noble/hashes/sha3.js';
import { describe, expect, test } from 'vitest';
import { fromHex, toHex, utf8 } from '../src/bytes';
import { XaesKey } from '../src/crypto/xaes';
import vectors from './vectors/xaes-256-gcm.json';

describe('XAES-256-GCM (C2SP vectors)', () => {
  for (const [i, v] of vectors.vectors.entries()) {
    test(`vector ${i + 1}: seal and open`, async () => {
      const key = await XaesKey.fromRaw(fromHex(v.key)!);
      const nonce = utf8(v.nonce_utf8);
      const aad = utf8(v.aad_utf8);
      const ct = await key.seal(nonce, utf8(v.plaintext_utf8), aad);
      expect(toHex(ct)).toBe(v.ciphertext);
      const pt = await key.open(nonce, fromHex(v.ciphertext)!, aad);
      expect(new TextDecoder().decode(pt)).toBe(v.plaintext_utf8);
    });
  }

  test('a flipped bit, a wrong AAD or a wrong nonce fail to open', async () => {
    const v = vectors.vectors[1]!;
    const key = await XaesKey.fromRaw(fromHex(v.key)!);
    const nonce = utf8(v.nonce_utf8);
    const ct = fromHex(v.ciphertext)!;
    const flipped = ct.slice();
    flipped[3]! ^= 1;
    await expect(key.open(nonce, flipped, utf8(v.aad_utf8))).rejects.toThrow();
    await expect(key.open(nonce, ct, utf8('c2sp.org/XAES-256-GCN'))).rejects.toThrow();
    const otherNonce = nonce.slice();
    otherNonce[0]! ^= 1; // a different subkey (first 12 bytes)
    await expect(key.open(otherNonce, ct, utf8(v.aad_utf8))).rejects.toThrow();
  });

  test(`accumulated: ${vectors.accumulated.iterations} iterations`, async () => {
    const s = shake128.create();
    const d = shake128.create({ dkLen: 32 });
    for (let i = 0; i < vectors.accumulated.iterations; i++) {
      const keyBytes = new Uint8Array(s.xof(32));
      const nonce = new Uint8Array(s.xof(24));
      const plaintext = new Uint8Array(s.xof(s.xof(1)[0]!));
      const aad = new Uint8Array(s.xof(s.xof(1)[0]!));
      const key = await XaesKey.fromRaw(keyBytes);
      const ct = await key.seal(nonce, plaintext, aad);
      const pt = await key.open(nonce, ct, aad);
      if (toHex(pt) !== toHex(plaintext)) throw new Error(`round trip failed at iteration ${i}`);
      d.update(ct);
    }
    expect(toHex(d.digest())).toBe(vectors.accumulated.expected);
  });
});
