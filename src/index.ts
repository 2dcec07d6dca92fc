// tagvault's public API. Everything else in src/ is internal.
export { Database, DEFAULT_DIRECTORY } from './database';
export type {
  BytesDecryptOptions,
  BytesEncryptOptions,
  ChangeDetail,
  DecryptOptions,
  EncryptOptions,
  OpenOptions,
  PasscryptOptions,
  ProfileOptions,
  UuidGenerator,
  UuidOptions,
} from './database';
export { Keys } from './keys';
export { Namespace } from './namespace';
export { ProfileTokens, type ProfileTokenOptions } from './profile';
export type { CorruptRecord, RawRecord } from './protocol';
export {
  AuthenticationError,
  DatabaseClosedError,
  InvalidHmacError,
  ProfileNotFoundError,
  QuotaExceededError,
  StorageError,
  TagvaultError,
  TimeoutError,
  ValidationError,
} from './errors';
