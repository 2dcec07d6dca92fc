// tagvault's public API, and nothing else. The code is in layers, each a folder, the page's on
// top: database/ (the public class, the cache, metatags, other tabs' changes), wire/ (what
// crosses to the engine's worker), engine/ (what runs where the keys live: reading, committing,
// profiles, IndexedDB), crypto/ (the primitives and the key schedule), format/ (every stored
// format). errors, assert, bytes and json, beside this file, serve them all.

export { Keys } from './crypto/keys';
export type { BackupInfo, ExportOptions, ImportOptions } from './database/backup';
export { Database } from './database/database';
export type { ChangeDetail, DatabaseEventMap } from './database/events';
export type {
  AddPasskeyOptions,
  AddPasswordOptions,
  AddRecoveryCodeOptions,
  KeySlot,
  RemoveKeySlotOptions,
  Unlock,
} from './database/key-slots';
export { Namespace } from './database/namespace';
export {
  type BytesDecryptOptions,
  type BytesEncryptOptions,
  DEFAULT_DIRECTORY,
  type DecryptOptions,
  type EncryptOptions,
  type KdfCostOptions,
  type OpenOptions,
  type PasscryptOptions,
  type PasswordChangeOptions,
  type ProfileOptions,
  type UuidOptions,
} from './database/options';
export { type ProfileTokenOptions, ProfileTokens } from './database/profile-tokens';
export type { LoadProfileOptions, PasskeyUnlockOptions, ProfileRotation, RotationOptions } from './database/profiles';
export { PublicCrypto, type UuidGenerator } from './database/public-crypto';
export type { StorageStatus } from './database/storage';
export {
  AuthenticationError,
  BackupFormatError,
  DatabaseClosedError,
  FutureTimestampError,
  InvalidHmacError,
  PasskeyCancelledError,
  PasskeyUnsupportedError,
  ProfileNotFoundError,
  QuotaExceededError,
  StorageError,
  TagvaultError,
  TimeoutError,
  ValidationError,
  VaultExistsError,
} from './errors';
export type { BackupProgress, CorruptRecord, RawRecord, SkippedRecord } from './wire/protocol';
