// Password profiles on the page: validating tokens and options, and asking the engine to open,
// create, check, re-password or delete a profile (the password only ever hashed in the engine).
import { aString } from '../assert';
import { engine } from '../wire/client';
import type { OpenedVault, ProfileOpening, ProfileRequest, RotatedProfile } from '../wire/protocol';
import { moved } from '../wire/transfer';
import { type OpenSettings, parseOpenOptions, parsePasswordChangeOptions, parseProfileOptions } from './options';
import { ProfileTokens, tokenSecrets } from './profile-tokens';

function profileRequest(tokens: ProfileTokens, directory: string): ProfileRequest {
  const s = tokenSecrets(tokens);
  return { directory, profileId: tokens.profileId, identity: moved(new Uint8Array(s.identity)), password: s.password };
}

/** How to open a profile's vault: its settings and the engine call that opens it. */
export function profileOpener(tokens: ProfileTokens, options: unknown, create: boolean): { settings: OpenSettings; open: () => Promise<OpenedVault> } {
  const { kdf, ...settings } = create ? parseProfileOptions(options) : { ...parseOpenOptions(options), kdf: undefined };
  const opening: ProfileOpening = kdf ? { mode: 'create', kdf } : { mode: 'load' };
  const request = profileRequest(tokens, settings.directory);
  return { settings, open: () => engine().openProfile(request, opening, settings.preload) };
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

/** What {@link Database.rotateProfileKey} did. */
export interface ProfileRotation {
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
  const { directory, kdf } = parsePasswordChangeOptions(options);
  const rotated: RotatedProfile = await engine().rotateProfile(profileRequest(tokens, directory), password, kdf);
  return { tokens: ProfileTokens._withPassword(tokens, password), ...rotated };
}
