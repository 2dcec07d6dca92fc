// Profiles on the page: validating tokens and options, and asking the engine to open (by the
// tokens' password, a recovery code or a passkey), create, check, re-password, rotate or delete
// a profile (a password only ever hashed in the engine).
import { transfer } from 'comlink';
import { aBoolean, anOptions, aString, describe } from '../assert';
import type { SlotSecret } from '../crypto/slot-keys';
import { AuthenticationError, ValidationError } from '../errors';
import { engine } from '../wire/client';
import type { OpenedVault, ProfileOpening, ProfileRequest, RotatedProfile } from '../wire/protocol';
import { moved } from '../wire/transfer';
import type { KeySlot } from './key-slots';
import {
  anRpId,
  type OpenOptions,
  type OpenSettings,
  type PasswordChangeOptions,
  parseOpenOptions,
  parsePasswordChangeOptions,
  parseProfileOptions,
} from './options';

/** The key-slot code (recovery codes, passkeys), loaded on first use. */
const slotCode = () => import('./key-slots');

import { ProfileTokens, tokenPassword, tokenSecrets } from './profile-tokens';

/**
 * What the engine needs of tokens: the tokens' password is required, except to open by a
 * recovery code (`password: false`), where none is sent.
 */
function profileRequest(tokens: ProfileTokens, directory: string, needs: { password: boolean } = { password: true }): ProfileRequest {
  const s = tokenSecrets(tokens);
  const password = needs.password ? tokenPassword(tokens) : '';
  return { directory, profileId: tokens.profileId, identity: moved(new Uint8Array(s.identity)), password };
}

/** How to open a profile's vault: its settings and the engine call that opens it. */
export function profileOpener(tokens: ProfileTokens, options: unknown, create: boolean): { settings: OpenSettings; open: () => Promise<OpenedVault> } {
  if (create) {
    const { kdf, ...settings } = parseProfileOptions(options);
    const request = profileRequest(tokens, settings.directory);
    return { settings, open: () => engine().openProfile(request, { mode: 'create', kdf }, settings.preload) };
  }
  const { recoveryCode, ...open } = anOptions<LoadProfileOptions>(options, 'options', ['directory', 'preload', 'durability', 'recoveryCode']);
  const settings = parseOpenOptions(open);
  const code = recoveryCode === undefined ? undefined : aString(recoveryCode, 'options.recoveryCode', { max: 200 });
  const request = profileRequest(tokens, settings.directory, { password: code === undefined });
  return {
    settings,
    open: async () => {
      if (code === undefined) return engine().openProfile(request, { mode: 'load' }, settings.preload);
      const { recoverySecret, sending } = await slotCode();
      const secret = await recoverySecret(code, 'options.recoveryCode');
      const opening: ProfileOpening = { mode: 'unlock', secret };
      return engine().openProfile(request, sending(opening, secret), settings.preload);
    },
  };
}

/** Options of {@link Database.loadProfile}: those of {@link OpenOptions}, and a recovery code to open by. */
export interface LoadProfileOptions extends OpenOptions {
  /**
   * Open by this recovery code (from {@link Database.addRecoveryCode}) instead of the tokens'
   * password: the tokens may be made without one (their password, if any, is not used). A
   * mistyped code is refused (its checksum) before any work.
   */
  recoveryCode?: string;
}

/** Options of {@link Database.unlockWithPasskey}. */
export interface PasskeyUnlockOptions extends OpenOptions {
  /** The relying-party id the passkey was made for (default: this page's hostname). */
  rpId?: string;
}

/** Asks for any passkey of this site, and opens the profile its user handle names. */
export function passkeyOpener(options: unknown): { settings: OpenSettings; open: () => Promise<OpenedVault> } {
  const { rpId: given, ...open } = anOptions<PasskeyUnlockOptions>(options, 'options', ['directory', 'preload', 'durability', 'rpId']);
  const settings = parseOpenOptions(open);
  const rpId = anRpId(given, 'options.rpId');
  return {
    settings,
    open: async () => {
      const { askPasskey, profileIdOfHandle, sending } = await slotCode();
      const answer = await askPasskey(rpId);
      const profileId = profileIdOfHandle(answer.userHandle);
      if (!profileId) {
        answer.prf.fill(0);
        throw new AuthenticationError('this passkey was not made for a tagvault profile (its user handle names none)');
      }
      const secret: SlotSecret = { kind: 'passkey', credentialId: answer.credentialId, prf: answer.prf };
      return engine().unlockProfile({ directory: settings.directory, profileId }, sending(secret, secret), settings.preload);
    },
  };
}

export async function profileExists(tokens: ProfileTokens, options: unknown): Promise<boolean> {
  tokenSecrets(tokens);
  const { directory } = parseOpenOptions(options, ['directory']);
  return engine().profileExists(directory, tokens.profileId);
}

export async function deleteProfile(tokens: ProfileTokens, options: unknown): Promise<void> {
  const { directory } = parseOpenOptions(options, ['directory']);
  await engine().deleteProfile(profileRequest(tokens, directory));
}

export async function changeProfilePassword(tokens: ProfileTokens, newPassword: string, options: unknown): Promise<ProfileTokens> {
  const password = aString(newPassword, 'newPassword', { nonEmpty: true, max: 65536 });
  const { directory, kdf } = parsePasswordChangeOptions(options);
  await engine().changePassword(profileRequest(tokens, directory), password, kdf);
  return ProfileTokens._withPassword(tokens, password);
}

/** Options of {@link Database.rotateProfileKey}: a password change's, and which other key slots to keep. */
export interface RotationOptions extends PasswordChangeOptions {
  /** Other password slots to keep (each is sealed again around the new root); the rest are dropped. */
  keepPasswords?: string[];
  /** Recovery codes whose slots to keep. */
  keepRecoveryCodes?: string[];
  /** Keep one passkey slot: asks for a passkey of this profile (one prompt). */
  keepPasskey?: boolean;
}

/** What {@link Database.rotateProfileKey} did. */
export interface ProfileRotation {
  /** The key slots no given secret opened: they were dropped (the new root is not in them). */
  dropped: KeySlot[];
  /** Tokens with the new password (the profile id is unchanged). */
  tokens: ProfileTokens;
  /** The new root vault's id: every record of the tree is stored under new ids. */
  vaultId: string;
  /** How many tags, in all vaults of the tree, were carried over. */
  tags: number;
  /** How many metatag vaults (at every level) were carried over. */
  metatags: number;
}

export async function rotateProfileKey(tokens: ProfileTokens, newPassword: string, options: unknown): Promise<ProfileRotation> {
  const password = aString(newPassword, 'newPassword', { nonEmpty: true, max: 65536 });
  const { keepPasswords, keepRecoveryCodes, keepPasskey, ...change } = anOptions<RotationOptions>(options, 'options', [
    'directory',
    'kb',
    'cpu',
    'unsafeLowCostsForTests',
    'keepPasswords',
    'keepRecoveryCodes',
    'keepPasskey',
  ]);
  const { directory, kdf } = parsePasswordChangeOptions(change);
  const passwords = aStringList(keepPasswords, 'options.keepPasswords', 65536);
  const codes = aStringList(keepRecoveryCodes, 'options.keepRecoveryCodes', 200);
  const passkey = keepPasskey === undefined ? false : aBoolean(keepPasskey, 'options.keepPasskey');
  const request = profileRequest(tokens, directory);
  const { askPasskey, passkeysOf, publicSlot, recoverySecret, secretBuffers } = await slotCode();
  const keep: SlotSecret[] = passwords.map((p) => ({ kind: 'password', password: p }));
  for (const [i, code] of codes.entries()) keep.push(await recoverySecret(code, `options.keepRecoveryCodes[${i}]`));
  if (passkey) {
    const { rpId, ids } = passkeysOf(await engine().listKeySlots({ directory, profileId: tokens.profileId }), 'options.keepPasskey');
    const answer = await askPasskey(rpId, ids);
    keep.push({ kind: 'passkey', credentialId: answer.credentialId, prf: answer.prf });
  }
  const rotated: RotatedProfile = await engine().rotateProfile(request, password, kdf, transfer(keep, keep.flatMap(secretBuffers)));
  return { ...rotated, dropped: rotated.dropped.map(publicSlot), tokens: ProfileTokens._withPassword(tokens, password) };
}

function aStringList(value: unknown, argument: string, max: number): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ValidationError(argument, `expected an array of strings, got ${describe(value)}`);
  return value.map((v, i) => aString(v, `${argument}[${i}]`, { nonEmpty: true, max }));
}
