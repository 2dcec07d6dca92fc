// Key slots on the page: the public types, parsing `unlock` into a slot secret (a recovery code's
// checksum checked, a passkey asked, before the engine is), and the slot methods of an open
// profile vault. The engine checks every secret and writes the one profile record.

import { transfer } from 'comlink';
import { anOptions, aString, describe } from '../assert';
import { toBase64Url } from '../bytes';
import type { SlotSecret } from '../crypto/slot-keys';
import { ValidationError } from '../errors';
import type { EngineRemote } from '../wire/client';
import type { Handle, KeySlotInfo, NewKeySlot } from '../wire/protocol';
import { aLabel, anRpId, defaultRpId, type KdfCostOptions, parseStoredKdf } from './options';
import { askPasskey, forgetCredential, makePasskey } from './passkeys';

export { askPasskey } from './passkeys';

import { newRecoveryCode, parseRecoveryCode } from './recovery-code';

/** One way into a profile, as {@link Database.keySlots} lists it (nothing secret). */
export interface KeySlot {
  /** The slot's id, for {@link Database.removeKeySlot}. */
  id: string;
  /** What opens it. */
  kind: 'password' | 'passkey' | 'recovery';
  /** The label given when it was added (stored readable: no secrets in labels). */
  label: string;
  /** When it was added; absent for the one password of a profile made before key slots. */
  created?: Date;
  /** Passkeys: the relying-party id (domain) the passkey was made for. */
  rpId?: string;
}

/**
 * One existing way into the profile, to authorise a change of its slots: the worker keeps no raw
 * root key after opening, so adding or removing a way in needs a way in.
 */
export type Unlock =
  | {
      /** A password of one of the profile's password slots. */
      password: string;
    }
  | {
      /** A recovery code of one of its recovery slots (as addRecoveryCode returned it). */
      recoveryCode: string;
    }
  | {
      /** Ask for one of the profile's passkeys (one prompt). */
      passkey: true;
    };

/** Options of {@link Database.addPassword}: the unlock, a label, and the new slot's Argon2id costs. */
export interface AddPasswordOptions extends KdfCostOptions {
  /** One existing way into the profile, which authorises the change. */
  unlock: Unlock;
  /** Default `"Password"`. At most 200 characters, stored readable. */
  label?: string;
}

/** Options of {@link Database.addPasskey}. */
export interface AddPasskeyOptions {
  /** One existing way into the profile, which authorises the change. */
  unlock: Unlock;
  /** Default `"Passkey"`. At most 200 characters, stored readable. */
  label?: string;
  /**
   * The relying-party id the passkey is made for (default: this page's hostname). The passkey
   * opens the vault only on pages of this domain (or its subdomains, when a registrable suffix).
   */
  rpId?: string;
  /** The name the authenticator shows for the passkey (default: the label). */
  userName?: string;
}

/** Options of {@link Database.addRecoveryCode}. */
export interface AddRecoveryCodeOptions {
  /** One existing way into the profile, which authorises the change. */
  unlock: Unlock;
  /** Default `"Recovery code"`. At most 200 characters, stored readable. */
  label?: string;
}

/** Options of {@link Database.removeKeySlot}. */
export interface RemoveKeySlotOptions {
  /** One existing way into the profile, which authorises the change. */
  unlock: Unlock;
}

/** What the slot methods need of an open vault. */
export interface SlotPlace {
  engine: EngineRemote;
  handle: Handle;
}

/** The public shape of a listed slot. */
export function publicSlot(info: KeySlotInfo): KeySlot {
  return {
    id: info.id,
    kind: info.kind,
    label: info.label,
    ...(info.created !== undefined ? { created: new Date(info.created) } : {}),
    ...(info.rpId !== undefined ? { rpId: info.rpId } : {}),
  };
}

/** Checks the shape of `unlock` (one of its three forms), synchronously, before anything runs. */
export function checkUnlock(value: unknown, argument: string): Unlock {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(argument, `expected { password }, { recoveryCode } or { passkey: true }, got ${describe(value)}`);
  }
  const keys = Object.keys(value);
  const unlock = anOptions<{ password: string; recoveryCode: string; passkey: true }>(value, argument, ['password', 'recoveryCode', 'passkey']);
  if (keys.length !== 1) throw new ValidationError(argument, 'expected exactly one of password, recoveryCode, passkey');
  if (unlock.password !== undefined) return { password: aString(unlock.password, `${argument}.password`, { nonEmpty: true, max: 65536 }) };
  if (unlock.recoveryCode !== undefined) return { recoveryCode: aString(unlock.recoveryCode, `${argument}.recoveryCode`, { max: 200 }) };
  if (unlock.passkey !== true) throw new ValidationError(`${argument}.passkey`, `expected true, got ${describe(unlock.passkey)}`);
  return { passkey: true };
}

/** The buffers of a secret's bytes (a recovery code's, a PRF result), to move with it. */
export function secretBuffers(secret: SlotSecret): ArrayBuffer[] {
  return secret.kind === 'recovery' ? [secret.code.buffer] : secret.kind === 'passkey' ? [secret.prf.buffer] : [];
}

/**
 * Marks `value` (an argument of an engine call) to move the bytes of `secret` inside it: they are
 * detached here when it is sent, so the page keeps no copy.
 */
export function sending<T extends object>(value: T, secret: SlotSecret): T {
  return transfer(value, secretBuffers(secret));
}

/** The secret of a recovery code (its bytes are moved when sent: see {@link sending}). */
export async function recoverySecret(code: string, argument: string): Promise<SlotSecret> {
  return { kind: 'recovery', code: await parseRecoveryCode(code, argument) };
}

function passkeySecret(answer: { credentialId: Uint8Array<ArrayBuffer>; prf: Uint8Array<ArrayBuffer> }): SlotSecret {
  return { kind: 'passkey', credentialId: answer.credentialId, prf: answer.prf };
}

/**
 * The profile's passkey slots that this page can ask (their relying-party id is its hostname or a
 * parent domain of it), and that id: the one of the first such slot, with every credential made
 * for it.
 */
export function passkeysOf(slots: KeySlotInfo[], argument: string): { rpId: string; ids: Uint8Array[] } {
  const passkeys = slots.filter((s) => s.kind === 'passkey' && s.credentialId);
  if (passkeys.length === 0) throw new ValidationError(argument, 'asks for a passkey, but this profile has no passkey slot');
  const host = defaultRpId();
  const here = passkeys.filter((s) => host === s.rpId || host.endsWith(`.${s.rpId}`));
  if (here.length === 0) throw new ValidationError(argument, "asks for a passkey, but this profile's passkeys were made for another domain");
  const rpId = here[0]!.rpId!;
  return { rpId, ids: here.filter((s) => s.rpId === rpId).map((s) => s.credentialId!) };
}

/** The secret `unlock` names: a password as is, a recovery code checked, a passkey of this profile asked. */
export async function unlockSecret(unlock: Unlock, argument: string, slots: () => Promise<KeySlotInfo[]>): Promise<SlotSecret> {
  if ('password' in unlock) return { kind: 'password', password: unlock.password };
  if ('recoveryCode' in unlock) return recoverySecret(unlock.recoveryCode, `${argument}.recoveryCode`);
  const { rpId, ids } = passkeysOf(await slots(), argument);
  return passkeySecret(await askPasskey(rpId, ids));
}

export async function keySlots(place: SlotPlace): Promise<KeySlot[]> {
  return (await place.engine.keySlots(place.handle)).map(publicSlot);
}

function slotOptions<T extends { unlock: Unlock }>(options: unknown, allowed: (keyof T & string)[]): Partial<T> & { unlock: Unlock } {
  const opts = anOptions<T>(options, 'options', allowed);
  if (opts.unlock === undefined)
    throw new ValidationError('options.unlock', 'is required: one existing way in ({ password }, { recoveryCode } or { passkey: true })');
  return { ...opts, unlock: checkUnlock(opts.unlock, 'options.unlock') };
}

export async function addPassword(place: SlotPlace, password: unknown, options: unknown): Promise<KeySlot> {
  const secret = aString(password, 'password', { nonEmpty: true, max: 65536 });
  const opts = slotOptions<AddPasswordOptions>(options, ['unlock', 'label', 'kb', 'cpu', 'unsafeLowCostsForTests']);
  const label = aLabel(opts.label, 'options.label', 'Password');
  const kdf = parseStoredKdf(opts);
  const unlock = await unlockSecret(opts.unlock, 'options.unlock', () => place.engine.keySlots(place.handle));
  const slot: NewKeySlot = { secret: { kind: 'password', password: secret }, label, kdf };
  return publicSlot(await place.engine.addKeySlot(place.handle, sending(unlock, unlock), slot));
}

export async function addRecoveryCode(place: SlotPlace, options: unknown): Promise<string> {
  const opts = slotOptions<AddRecoveryCodeOptions>(options, ['unlock', 'label']);
  const label = aLabel(opts.label, 'options.label', 'Recovery code');
  const unlock = await unlockSecret(opts.unlock, 'options.unlock', () => place.engine.keySlots(place.handle));
  const code = await newRecoveryCode();
  const slot: NewKeySlot = { secret: { kind: 'recovery', code: code.secret }, label };
  await place.engine.addKeySlot(place.handle, sending(unlock, unlock), sending(slot, slot.secret));
  return code.text;
}

export async function addPasskey(place: SlotPlace, options: unknown): Promise<KeySlot> {
  const opts = slotOptions<AddPasskeyOptions>(options, ['unlock', 'label', 'rpId', 'userName']);
  const label = aLabel(opts.label, 'options.label', 'Passkey');
  const rpId = anRpId(opts.rpId, 'options.rpId');
  const userName = aLabel(opts.userName, 'options.userName', label);
  const slots = await place.engine.keySlots(place.handle);
  // The unlock is checked (and held by the engine) before the authenticator makes anything, so a
  // wrong one leaves no orphan passkey behind.
  const unlock = await unlockSecret(opts.unlock, 'options.unlock', async () => slots);
  const ticket = await place.engine.holdUnlock(place.handle, sending(unlock, unlock));
  try {
    const profileId = await place.engine.profileIdOf(place.handle);
    const exclude = slots.filter((s) => s.kind === 'passkey' && s.credentialId).map((s) => s.credentialId!);
    const answer = await makePasskey({ rpId, profileId, userName, exclude });
    try {
      const slot: NewKeySlot = { secret: passkeySecret(answer), label, rpId };
      return publicSlot(await place.engine.addKeySlot(place.handle, { ticket }, sending(slot, slot.secret)));
    } catch (error) {
      forgetCredential(rpId, answer.credentialId);
      throw error;
    }
  } finally {
    await place.engine.releaseUnlock(ticket);
  }
}

export async function removeKeySlot(place: SlotPlace, id: unknown, options: unknown): Promise<void> {
  const slotId = aString(id, 'id', { nonEmpty: true, max: 64 });
  const opts = slotOptions<RemoveKeySlotOptions>(options, ['unlock']);
  const slots = await place.engine.keySlots(place.handle);
  const removed = slots.find((s) => s.id === slotId);
  if (!removed) throw new ValidationError('id', 'names no key slot of this profile');
  if (slots.length === 1) throw new ValidationError('id', 'is the last key slot of this profile: add another way in first');
  // The passkey itself stays on its authenticator (a profile of the same tokens in another
  // directory may use it): the user removes it there.
  const unlock = await unlockSecret(opts.unlock, 'options.unlock', async () => slots);
  await place.engine.removeKeySlot(place.handle, sending(unlock, unlock), slotId);
}

/** The profile id a passkey's user handle carries (its 32 bytes), or undefined. */
export function profileIdOfHandle(handle: Uint8Array | undefined): string | undefined {
  return handle && handle.length === 32 ? toBase64Url(handle) : undefined;
}
