// Passkey key slots (issue 14) with a real WebAuthn stack: Chromium's virtual authenticator
// (test/virtual-authenticator.ts), PRF on, user verification on, at http://localhost. Register,
// unlock, add other ways into a passkey profile, remove a passkey, and the attacks: another
// authenticator's credential, a cancelled prompt, an authenticator without PRF, a wrong unlock.
// Firefox and WebKit skip this file (NO_AUTHENTICATOR says why); they run test/key-slots.test.ts.
import { afterEach, describe, expect, test } from 'vitest';
import { AuthenticationError, Database, PasskeyCancelledError, PasskeyUnsupportedError, ProfileNotFoundError } from '../src/index';
import { freshDirectory, rawDirectory, snapshot } from './helpers';
import { addAuthenticator, hasVirtualAuthenticator, NO_AUTHENTICATOR, type VirtualAuthenticator } from './virtual-authenticator';

const LOW = { kb: 64, cpu: 1, unsafeLowCostsForTests: true };
const added: VirtualAuthenticator[] = [];

async function authenticator(options?: { prf?: boolean }): Promise<VirtualAuthenticator> {
  const a = await addAuthenticator(options);
  added.push(a);
  return a;
}

afterEach(async () => {
  for (const a of added.splice(0)) await a.remove().catch(() => undefined);
});

async function profile(password = 'pw') {
  const directory = freshDirectory();
  const tokens = await Database.generateProfileTokens('example.com', { username: 'alice', password });
  const db = await Database.generateProfile(tokens, { directory, ...LOW });
  db.set('ledger', { balance: 42 });
  await db.save();
  return { directory, tokens, db };
}

describe.skipIf(!hasVirtualAuthenticator)(`passkeys (skipped where there is ${NO_AUTHENTICATOR})`, () => {
  test('register a passkey, then unlock with it: no tokens, the profile found from its user handle', async () => {
    const auth = await authenticator();
    const { directory, db } = await profile();
    const vaultId = db.vaultId;
    const before = (await rawDirectory(directory)).length;
    const slot = await db.addPasskey({ unlock: { password: 'pw' }, label: 'laptop' });
    expect(slot).toMatchObject({ kind: 'passkey', label: 'laptop', rpId: location.hostname });
    // One record written: the profile's, replaced (no new record, no data re-encrypted).
    expect((await rawDirectory(directory)).length).toBe(before);
    const [credential] = await auth.credentials();
    expect(credential!.rpId).toBe('localhost');
    // The user handle is the profile id.
    expect(atob(credential!.userHandle!).length).toBe(32);
    await db.close();

    const unlocked = await Database.unlockWithPasskey({ directory });
    expect(unlocked.get('ledger')).toEqual({ balance: 42 });
    expect(unlocked.vaultId).toBe(vaultId);
    await unlocked.close();
  });

  test('a passkey profile: add a password and a recovery code by passkey, and open it each way', async () => {
    await authenticator();
    const { directory, db } = await profile();
    await db.addPasskey({ unlock: { password: 'pw' } });
    const [password] = await db.keySlots();
    // Only the passkey now.
    await db.removeKeySlot(password!.id, { unlock: { passkey: true } });
    expect((await db.keySlots()).map((s) => s.kind)).toEqual(['passkey']);
    await db.addPassword('second', { unlock: { passkey: true }, ...LOW });
    const code = await db.addRecoveryCode({ unlock: { passkey: true } });
    expect((await db.keySlots()).map((s) => s.kind)).toEqual(['passkey', 'password', 'recovery']);
    await db.close();

    const second = await Database.generateProfileTokens('example.com', { username: 'alice', password: 'second' });
    for (const open of [
      () => Database.unlockWithPasskey({ directory }),
      () => Database.loadProfile(second, { directory }),
      () => Database.loadProfile(second, { directory, recoveryCode: code }),
    ]) {
      const opened = await open();
      expect(opened.get('ledger')).toEqual({ balance: 42 });
      await opened.close();
    }
  });

  test('a removed passkey slot: its credential no longer opens the vault', async () => {
    const auth = await authenticator();
    const { directory, db } = await profile();
    const slot = await db.addPasskey({ unlock: { password: 'pw' } });
    await db.removeKeySlot(slot.id, { unlock: { password: 'pw' } });
    await db.close();
    // The credential is still on the authenticator, and still answers: it opens nothing.
    expect(await auth.credentials()).toHaveLength(1);
    const before = await snapshot(directory);
    await expect(Database.unlockWithPasskey({ directory })).rejects.toThrow(AuthenticationError);
    expect(await snapshot(directory)).toBe(before);
  });

  test("a second authenticator's credential for the same profile is refused", async () => {
    const first = await authenticator();
    const { directory, tokens, db } = await profile();
    await db.addPasskey({ unlock: { password: 'pw' } });
    await db.close();
    // Another authenticator makes a credential with this profile's user handle and PRF, outside
    // tagvault: it has no slot, so its PRF result opens nothing.
    await first.remove();
    await authenticator();
    const userId = Uint8Array.from(atob(tokens.profileId.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));
    await navigator.credentials.create({
      publicKey: {
        rp: { name: 'other' },
        user: { id: userId, name: 'alice', displayName: 'alice' },
        challenge: new Uint8Array(32),
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        extensions: { prf: { eval: { first: new Uint8Array(32) } } } as AuthenticationExtensionsClientInputs,
      },
    });
    const before = await snapshot(directory);
    await expect(Database.unlockWithPasskey({ directory })).rejects.toThrow(/does not open this profile/);
    // In a directory without that profile: not found.
    await expect(Database.unlockWithPasskey({ directory: freshDirectory() })).rejects.toThrow(ProfileNotFoundError);
    expect(await snapshot(directory)).toBe(before);
  });

  test('a passkey that is not a tagvault profile’s (another user handle) is refused', async () => {
    await authenticator();
    await navigator.credentials.create({
      publicKey: {
        rp: { name: 'other app' },
        user: { id: new Uint8Array(16).fill(9), name: 'bob', displayName: 'bob' },
        challenge: new Uint8Array(32),
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        extensions: { prf: { eval: { first: new Uint8Array(32) } } } as AuthenticationExtensionsClientInputs,
      },
    });
    await expect(Database.unlockWithPasskey({ directory: freshDirectory() })).rejects.toThrow(/not made for a tagvault profile/);
  });

  test('a cancelled prompt is a PasskeyCancelledError, and nothing is written', async () => {
    const auth = await authenticator();
    const { directory, db } = await profile();
    await db.addPasskey({ unlock: { password: 'pw' } });
    const before = await snapshot(directory);
    await auth.setUserVerified(false);
    await expect(Database.unlockWithPasskey({ directory })).rejects.toThrow(PasskeyCancelledError);
    await expect(db.addRecoveryCode({ unlock: { passkey: true } })).rejects.toThrow(PasskeyCancelledError);
    await expect(db.addPasskey({ unlock: { password: 'pw' } })).rejects.toThrow(PasskeyCancelledError);
    expect(await snapshot(directory)).toBe(before);
    await db.close();
  });

  test('an authenticator without PRF is refused, and nothing is written', async () => {
    await authenticator({ prf: false });
    const { directory, db } = await profile();
    const before = await snapshot(directory);
    await expect(db.addPasskey({ unlock: { password: 'pw' } })).rejects.toThrow(PasskeyUnsupportedError);
    expect(await snapshot(directory)).toBe(before);
    expect((await db.keySlots()).map((s) => s.kind)).toEqual(['password']);
    await db.close();
  });

  test('a wrong unlock refuses addPasskey before any passkey is made', async () => {
    const auth = await authenticator();
    const { directory, db } = await profile();
    const before = await snapshot(directory);
    await expect(db.addPasskey({ unlock: { password: 'wrong' } })).rejects.toThrow(AuthenticationError);
    expect(await auth.credentials()).toHaveLength(0);
    expect(await snapshot(directory)).toBe(before);
    await db.close();
  });

  test('a rotation keeps the passkey slot when asked to, and drops it otherwise', async () => {
    await authenticator();
    const { directory, tokens, db } = await profile();
    await db.addPasskey({ unlock: { password: 'pw' } });
    await db.close();
    const kept = await Database.rotateProfileKey(tokens, 'pw2', { directory, keepPasskey: true });
    expect(kept.dropped).toEqual([]);
    const unlocked = await Database.unlockWithPasskey({ directory });
    expect(unlocked.vaultId).toBe(kept.vaultId);
    expect(unlocked.get('ledger')).toEqual({ balance: 42 });
    await unlocked.close();
    const dropped = await Database.rotateProfileKey(kept.tokens, 'pw3', { directory });
    expect(dropped.dropped.map((s) => s.kind)).toEqual(['passkey']);
    await expect(Database.unlockWithPasskey({ directory })).rejects.toThrow(AuthenticationError);
  });
});
