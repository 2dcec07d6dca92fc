import type { BrowserProviderOption } from 'vitest/node';

export interface WebKitGtkOptions {
  /** Path to the MiniBrowser executable. */
  miniBrowser: string;
  /** The port WebKitWebDriver listens on. */
  port: number;
  /** Extra MiniBrowser arguments (`--automation` is always passed). */
  args?: string[];
  /** WebKitWebDriver's host (default 127.0.0.1). */
  hostname?: string;
}

/** A vitest browser provider for WebKitGTK's MiniBrowser through WebKitWebDriver. */
export declare function webkitgtk(options: WebKitGtkOptions): BrowserProviderOption<WebKitGtkOptions>;
