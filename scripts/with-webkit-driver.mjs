// Usage: node scripts/with-webkit-driver.mjs <command> [args…]
//
// Starts WebKitWebDriver on a free port, runs the command with WEBKIT_WEBDRIVER_PORT set, then
// stops the driver *after* the command exits (stopping it from inside vitest, in a globalSetup
// teardown, makes the WebDriver session close hang). Exits with the command's status.
// MiniBrowser needs a display: run this under `xvfb-run -a` when DISPLAY is unset.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import { findWebKit, WEBKIT_MISSING } from './browsers.mjs';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node scripts/with-webkit-driver.mjs <command> [args…]');
  process.exit(2);
}
const webkit = findWebKit();
if (!webkit) {
  console.error(WEBKIT_MISSING);
  process.exit(1);
}

/** @returns {Promise<number>} a port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

const port = await freePort();
const driver = spawn(webkit.driver, [`--port=${port}`, '--host=127.0.0.1'], { stdio: ['ignore', 'ignore', 'inherit'] });
let driverExited = false;
const driverExit = new Promise((resolve) =>
  driver.on('exit', (code, signal) => {
    driverExited = true;
    resolve({ code, signal });
  }),
);
driver.on('error', (error) => {
  console.error(`Could not start ${webkit.driver}: ${error.message}`);
  process.exit(1);
});

async function stopDriver() {
  if (driverExited) return;
  driver.kill('SIGTERM');
  const timer = setTimeout(() => driver.kill('SIGKILL'), 5_000);
  await driverExit;
  clearTimeout(timer);
}

// Wait until the driver answers /status (a few hundred ms).
const deadline = Date.now() + 15_000;
for (;;) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/status`);
    if (response.ok) break;
  } catch {
    // not listening yet
  }
  if (driverExited || Date.now() > deadline) {
    console.error(`WebKitWebDriver did not start on port ${port}.`);
    await stopDriver();
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 100));
}

const child = spawn(command, args, {
  stdio: 'inherit',
  env: { ...process.env, WEBKIT_WEBDRIVER_PORT: String(port) },
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
const status = await new Promise((resolve) => {
  child.on('error', (error) => {
    console.error(`Could not run ${command}: ${error.message}`);
    resolve(1);
  });
  child.on('exit', (code, signal) => resolve(code ?? 128 + (constants.signals[signal] ?? 0)));
});
await stopDriver();
process.exit(status);
