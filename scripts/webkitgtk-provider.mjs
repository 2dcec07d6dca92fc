// A vitest browser provider for WebKitGTK's MiniBrowser, driven by WebKitWebDriver.
//
// The stock `@vitest/browser-webdriverio` provider only knows firefox/chrome/edge/safari and
// always sends `browserName` = the instance's browser. WebKitWebDriver only accepts
// `browserName: 'MiniBrowser'` (or the browser it was built for), so this wraps the stock
// provider and replaces its capabilities. Everything else (commands, frames, locators) is the
// stock provider's.
//
// WebKitWebDriver itself is started and stopped by scripts/with-webkit-driver.mjs, *around*
// vitest: stopping it in a globalSetup teardown makes the session close hang.
import { defineBrowserProvider } from '@vitest/browser';
import { WebdriverBrowserProvider } from '@vitest/browser-webdriverio';

class WebKitGtkProvider extends WebdriverBrowserProvider {
  /** @param {import('vitest/node').TestProject} project @param {WebKitGtkOptions} options */
  constructor(project, options) {
    const { miniBrowser, args = [], ...wdio } = options;
    super(project, {
      hostname: '127.0.0.1',
      logLevel: 'silent',
      ...wdio,
      capabilities: {
        browserName: 'MiniBrowser',
        // WebdriverIO 9 asks for WebDriver BiDi by default; WebKitGTK's BiDi is incomplete.
        'wdio:enforceWebDriverClassic': true,
        'webkitgtk:browserOptions': { binary: miniBrowser, args: ['--automation', ...args] },
      },
    });
  }

  // The stock provider sets `browserName` to the vitest instance name and adds headless flags
  // that MiniBrowser does not have: send our capabilities as they are.
  buildCapabilities() {
    return { ...this.options.capabilities };
  }
}

/**
 * @typedef {object} WebKitGtkOptions
 * @property {string} miniBrowser path to the MiniBrowser executable
 * @property {number} port the port WebKitWebDriver listens on
 * @property {string[]} [args] extra MiniBrowser arguments (`--automation` is always passed)
 * @property {string} [hostname] WebKitWebDriver's host (default 127.0.0.1)
 */

/** @param {WebKitGtkOptions} options */
export function webkitgtk(options) {
  return defineBrowserProvider({
    name: 'webdriverio',
    supportedBrowser: ['webkit'],
    options,
    providerFactory: (project) => new WebKitGtkProvider(project, options),
  });
}
