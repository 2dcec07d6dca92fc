// Recovery codes: 128 random bits and a 32-bit checksum, written as 32 characters of Crockford's
// base32 in 8 groups of 4 (`7G3K-...`). Reading one is forgiving where Crockford's alphabet is
// (any case; O is 0, I and L are 1; spaces and hyphens anywhere) and strict everywhere else: a
// code whose checksum does not match is refused before any work, naming the argument and never
// the code.
import { lengthPrefixed, randomBytes } from '../bytes';
import { ValidationError } from '../errors';
import { RECOVERY_SECRET_LENGTH } from '../format/profile-record';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CHECK_LENGTH = 4;
/** Characters of a code, without its hyphens: (16 + 4) bytes × 8 / 5 bits. */
const CODE_CHARS = ((RECOVERY_SECRET_LENGTH + CHECK_LENGTH) * 8) / 5;

/** The checksum of a code's secret: the first 4 bytes of SHA-256("tagvault/v1/recovery-code" ‖ secret). */
async function checksum(secret: Uint8Array): Promise<Uint8Array> {
  const material = new Uint8Array([...lengthPrefixed('tagvault/v1/recovery-code'), ...secret]);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', material));
  material.fill(0);
  return digest.subarray(0, CHECK_LENGTH);
}

function encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** A new recovery code: its secret (16 bytes, for the engine) and its text (for the user). */
export async function newRecoveryCode(): Promise<{ secret: Uint8Array<ArrayBuffer>; text: string }> {
  const secret = randomBytes(RECOVERY_SECRET_LENGTH);
  const chars = encode(new Uint8Array([...secret, ...(await checksum(secret))]));
  return { secret, text: chars.match(/.{4}/g)!.join('-') };
}

/**
 * The secret of a recovery code typed by a user.
 * @throws {ValidationError} naming `argument` for anything but a well-formed code whose checksum matches.
 */
export async function parseRecoveryCode(text: unknown, argument: string): Promise<Uint8Array<ArrayBuffer>> {
  if (typeof text !== 'string') throw new ValidationError(argument, `expected a recovery code (a string), got ${typeof text}`);
  const chars = text.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (chars.length !== CODE_CHARS) {
    throw new ValidationError(argument, `is not a recovery code: expected ${CODE_CHARS} characters (8 groups of 4), got ${chars.length}`);
  }
  const bytes = new Uint8Array(RECOVERY_SECRET_LENGTH + CHECK_LENGTH);
  let bits = 0;
  let value = 0;
  let at = 0;
  for (const char of chars) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) throw new ValidationError(argument, 'is not a recovery code: it holds a character outside its alphabet (0-9 and A-Z but I, L, O, U)');
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bytes[at++] = (value >>> (bits - 8)) & 255;
      bits -= 8;
      value &= (1 << bits) - 1;
    }
  }
  const secret = bytes.slice(0, RECOVERY_SECRET_LENGTH);
  const expected = await checksum(secret);
  const given = bytes.subarray(RECOVERY_SECRET_LENGTH);
  const matches = expected.every((b, i) => b === given[i]);
  bytes.fill(0);
  if (!matches) {
    secret.fill(0);
    throw new ValidationError(argument, 'is mistyped: its checksum does not match (check each group of 4)');
  }
  return secret;
}
