// Passkeys on the page (WebAuthn exists only there): making a discoverable credential for a
// profile and asking it for its PRF result, the 32-byte secret a passkey slot's key is derived
// from (crypto/slot-keys.ts). No signature is checked: there is no server, and what opens a vault
// is the PRF secret, which only the authenticator can compute, after user verification.
//
// The PRF result's buffer is moved to the engine at once (detached here); nothing keeps it.
import { fromBase64Url, toBase64Url, utf8 } from '../bytes';
import { PasskeyCancelledError, PasskeyUnsupportedError, TagvaultError, ValidationError } from '../errors';
import { PRF_LENGTH } from '../format/profile-record';

/** How long a passkey prompt waits for the user. */
const PROMPT_MS = 60_000;

/**
 * The PRF input every tagvault passkey is evaluated at: SHA-256("tagvault/v1/passkey-prf"). One
 * fixed input, so a discoverable prompt (no credential named) can ask for it; each credential's
 * result differs, and each slot has its own salt on top (HKDF).
 */
let prfInput: Promise<Uint8Array<ArrayBuffer>> | undefined;
function prfSalt(): Promise<Uint8Array<ArrayBuffer>> {
  prfInput ??= crypto.subtle.digest('SHA-256', utf8('tagvault/v1/passkey-prf')).then((d) => new Uint8Array(d));
  return prfInput;
}

/** A passkey's answer: its credential's raw id, its PRF result (to move to the engine), its user handle. */
export interface PasskeyAnswer {
  credentialId: Uint8Array<ArrayBuffer>;
  prf: Uint8Array<ArrayBuffer>;
  userHandle: Uint8Array | undefined;
}

interface PrfOutputs {
  prf?: { enabled?: boolean; results?: { first?: BufferSource } };
}

/** WebAuthn, or PasskeyUnsupportedError. */
function credentials(): CredentialsContainer {
  if (typeof PublicKeyCredential === 'undefined' || typeof navigator === 'undefined' || !navigator.credentials) {
    throw new PasskeyUnsupportedError('this browser offers no WebAuthn here (passkeys need a page in a secure context: https, or http://localhost)');
  }
  return navigator.credentials;
}

/** Refuses, before any prompt, a browser that says it has no PRF extension (where it can say). */
async function checkPrf(): Promise<void> {
  const ask = (PublicKeyCredential as unknown as { getClientCapabilities?: () => Promise<Record<string, boolean | undefined>> }).getClientCapabilities;
  if (typeof ask !== 'function') return;
  const capabilities = await ask.call(PublicKeyCredential).catch(() => undefined);
  if (capabilities?.['extension:prf'] === false) {
    throw new PasskeyUnsupportedError('this browser has no WebAuthn PRF extension, which a passkey needs to unlock a vault: use a password or a recovery code');
  }
}

/** Runs a WebAuthn prompt, turning its DOMExceptions into tagvault's errors. */
async function prompt<T>(run: () => Promise<Credential | null>, what: string, use: (credential: PublicKeyCredential) => T): Promise<T> {
  let credential: Credential | null;
  try {
    credential = await run();
  } catch (error) {
    throw promptError(error, what);
  }
  if (!(credential instanceof PublicKeyCredential)) throw new PasskeyCancelledError(`${what}: the browser gave no passkey`);
  return use(credential);
}

function promptError(error: unknown, what: string): TagvaultError {
  const name = (error as { name?: string } | null)?.name;
  switch (name) {
    case 'NotAllowedError':
    case 'AbortError':
      return new PasskeyCancelledError(`${what}: the passkey prompt was cancelled, timed out or refused (nothing was written)`, { cause: error });
    case 'InvalidStateError':
      return new ValidationError('passkey', 'this authenticator already holds a passkey of this profile: use it, or another authenticator', { cause: error });
    case 'SecurityError':
      return new ValidationError('options.rpId', "is not this page's domain or a registrable suffix of it", { cause: error });
    case 'NotSupportedError':
      return new PasskeyUnsupportedError(`${what}: the authenticator or browser does not support what a vault passkey needs`, { cause: error });
    default:
      return new TagvaultError(`${what}: WebAuthn failed (${name ?? 'Error'})`, { cause: error });
  }
}

/** The PRF result of a credential's outputs, as bytes in a buffer of their own, or undefined. */
function prfResult(credential: PublicKeyCredential): Uint8Array<ArrayBuffer> | undefined {
  const first = (credential.getClientExtensionResults() as PrfOutputs).prf?.results?.first;
  if (!first) return undefined;
  const view = ArrayBuffer.isView(first) ? new Uint8Array(first.buffer, first.byteOffset, first.byteLength) : new Uint8Array(first);
  const own = new Uint8Array(view);
  view.fill(0);
  if (own.length !== PRF_LENGTH) {
    own.fill(0);
    throw new PasskeyUnsupportedError(`the authenticator's PRF result is ${own.length} bytes, not ${PRF_LENGTH}`);
  }
  return own;
}

/** Tells the authenticator (where the browser can) that a credential opens nothing, so it may be removed. */
export function forgetCredential(rpId: string, credentialId: Uint8Array): void {
  const signal = (PublicKeyCredential as unknown as { signalUnknownCredential?: (o: { rpId: string; credentialId: string }) => Promise<void> })
    .signalUnknownCredential;
  if (typeof signal === 'function') void signal.call(PublicKeyCredential, { rpId, credentialId: toBase64Url(credentialId) }).catch(() => undefined);
}

/**
 * Asks a passkey for its PRF result: one of `allow` (this profile's passkeys), or any
 * discoverable credential of `rpId` when `allow` is not given.
 * @throws {PasskeyCancelledError} · {PasskeyUnsupportedError}
 */
export async function askPasskey(rpId: string, allow?: Uint8Array[]): Promise<PasskeyAnswer> {
  const container = credentials();
  await checkPrf();
  const first = await prfSalt();
  const options: PublicKeyCredentialRequestOptions = {
    challenge: crypto.getRandomValues(new Uint8Array(32)),
    rpId,
    userVerification: 'required',
    timeout: PROMPT_MS,
    ...(allow ? { allowCredentials: allow.map((id) => ({ type: 'public-key' as const, id: new Uint8Array(id) })) } : {}),
    extensions: { prf: { eval: { first } } } as AuthenticationExtensionsClientInputs,
  };
  return prompt(
    () => container.get({ publicKey: options }),
    'unlocking with a passkey',
    (credential) => {
      const prf = prfResult(credential);
      if (!prf) throw new PasskeyUnsupportedError('this passkey gave no PRF result: its authenticator cannot unlock a vault');
      const handle = (credential.response as AuthenticatorAssertionResponse).userHandle;
      return { credentialId: new Uint8Array(credential.rawId), prf, userHandle: handle ? new Uint8Array(handle) : undefined };
    },
  );
}

/**
 * Makes a discoverable, user-verified passkey for a profile (its user handle is the profile id)
 * and returns its PRF result: from the registration where the authenticator gives one there, else
 * from one assertion at once. A credential that gives none is reported to the browser as unknown.
 * @throws {PasskeyCancelledError} · {PasskeyUnsupportedError} · {ValidationError} (`options.rpId`)
 */
export async function makePasskey(options: { rpId: string; profileId: string; userName: string; exclude: Uint8Array[] }): Promise<PasskeyAnswer> {
  const container = credentials();
  await checkPrf();
  const first = await prfSalt();
  const publicKey: PublicKeyCredentialCreationOptions = {
    challenge: crypto.getRandomValues(new Uint8Array(32)),
    rp: { id: options.rpId, name: 'tagvault' },
    user: { id: fromBase64Url(options.profileId)!, name: options.userName, displayName: options.userName },
    // Ed25519, P-256, RSA: the signature is never checked (see above), so any the authenticator has.
    pubKeyCredParams: [
      { type: 'public-key', alg: -8 },
      { type: 'public-key', alg: -7 },
      { type: 'public-key', alg: -257 },
    ],
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    excludeCredentials: options.exclude.map((id) => ({ type: 'public-key' as const, id: new Uint8Array(id) })),
    timeout: PROMPT_MS,
    extensions: { prf: { eval: { first } } } as AuthenticationExtensionsClientInputs,
  };
  const made = await prompt(
    () => container.create({ publicKey }),
    'adding a passkey',
    (credential) => ({
      credentialId: new Uint8Array(credential.rawId),
      enabled: (credential.getClientExtensionResults() as PrfOutputs).prf?.enabled,
      prf: prfResult(credential),
    }),
  );
  if (made.prf) return { credentialId: made.credentialId, prf: made.prf, userHandle: undefined };
  if (made.enabled !== true) {
    forgetCredential(options.rpId, made.credentialId);
    throw new PasskeyUnsupportedError('this authenticator has no PRF extension: its passkey cannot unlock a vault (use another, or a recovery code)');
  }
  // PRF enabled, but no result at registration (some authenticators): ask it once now.
  return askPasskey(options.rpId, [made.credentialId]);
}
