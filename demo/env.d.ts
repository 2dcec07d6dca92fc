// Types the demo gets from its build (vite.config.ts): vite-plugin-pwa's virtual modules, and the
// version string `define` puts in.
/// <reference types="vite-plugin-pwa/client" />

/** The demo's version: package.json's, plus the TAGVAULT_DEMO_BUILD label when the build had one. */
declare const __DEMO_VERSION__: string;
