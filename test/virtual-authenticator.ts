// A WebAuthn authenticator for the passkey tests: Chromium's own virtual authenticator (the
// DevTools protocol's WebAuthn domain, reached through vitest's `cdp()`), with the PRF extension
// and user verification on. Nothing is mocked: the page's `navigator.credentials` talks to it as
// to a platform authenticator. Only Chromium offers this domain; other engines skip passkey tests.
import { cdp, server } from 'vitest/browser';

/** Whether this engine has a virtual authenticator the tests can reach. */
export const hasVirtualAuthenticator = server.browser === 'chromium';

/** Why the passkey tests are skipped elsewhere (test/ENGINES.md lists it too). */
export const NO_AUTHENTICATOR =
  'no virtual WebAuthn authenticator reachable here: only Chromium exposes one (DevTools protocol); Firefox over BiDi and WebKitGTK over WebDriver do not';

export interface VirtualAuthenticator {
  id: string;
  /** The credentials it holds (their ids, base64 as the protocol gives them). */
  credentials(): Promise<{ credentialId: string; userHandle?: string; rpId: string }[]>;
  /** Makes the next user verifications fail (the user "cancels"), or succeed again. */
  setUserVerified(verified: boolean): Promise<void>;
  remove(): Promise<void>;
}

/** Adds a virtual authenticator (CTAP 2.1, internal, resident keys, user verification, PRF unless `prf: false`). */
export async function addAuthenticator(options: { prf?: boolean } = {}): Promise<VirtualAuthenticator> {
  const session = cdp();
  await session.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = (await session.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      hasPrf: options.prf ?? true,
      automaticPresenceSimulation: true,
    },
  })) as { authenticatorId: string };
  return {
    id: authenticatorId,
    async credentials() {
      const { credentials } = (await session.send('WebAuthn.getCredentials', { authenticatorId })) as {
        credentials: { credentialId: string; userHandle?: string; rpId: string }[];
      };
      return credentials;
    },
    async setUserVerified(verified) {
      await session.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: verified });
    },
    async remove() {
      await session.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    },
  };
}
