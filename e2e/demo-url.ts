// Where playwright.config.ts serves the *built* demo (vite preview of dist-demo/), so the service
// worker and the offline test are real. Only the demo's own specs use it, through
// `test.use({ baseURL: DEMO_URL })`: other specs may start their own servers.
export const DEMO_HOST = '127.0.0.1';
/** Picked by playwright.config.ts (a free port) and handed to the test workers in the environment. */
export const DEMO_PORT = Number(process.env.TAGVAULT_DEMO_PORT ?? 4317);
export const DEMO_URL = `http://${DEMO_HOST}:${DEMO_PORT}/`;
/**
 * The same server by the name `localhost`, for the passkey spec: WebAuthn refuses an IP address
 * as a relying-party id ("invalid domain"), and `localhost` is a secure context over plain http.
 */
export const DEMO_LOCALHOST_URL = `http://localhost:${DEMO_PORT}/`;
