// The library build (`npm run build`): ESM, entry src/index.ts → dist/tagvault.js, plus the
// engine's worker as its own file, dist/engine.worker.js (with hash-wasm's Argon2 wasm inside),
// and the chunks the entry loads (shared code; the in-thread engine, on demand).
// Types come after this: `tsc -p tsconfig.build.json`, then rollup.dts.config.mjs bundles them
// into one dist/tagvault.d.ts.
//
// Nothing is externalised. The worker is loaded by URL, so it must be one self-contained file:
// bare imports in it would only work when the consumer's bundler happens to process it. The
// entry bundles its dependencies too (comlink, idb, hash-wasm: the exact code our tests ran), so
// the sizes `npm run size` reports are what an application actually ships. The cost is a copy of
// idb/comlink (≈2 KB gzip) for applications that use them as well.
import { defineConfig, type Plugin } from 'vite';

/**
 * Vite emits the worker reference as
 *   new Worker(new URL(new URL("engine.worker.js", import.meta.url).href, "" + import.meta.url), …)
 * which runs, but hides the worker from the consumer's bundler. Rewrite it to the one pattern
 * every bundler (Vite, webpack 5, Parcel, Rollup) recognises and re-bundles as a worker:
 *   new Worker(new URL("./engine.worker.js", import.meta.url), …)
 * keeping the number of lines, so the source map still fits.
 */
function canonicalWorkerUrl(): Plugin {
  const emitted = /new URL\(\s*(?:\/\*\s*@vite-ignore\s*\*\/\s*)?new URL\("(?:\.\/)?([\w.-]+\.js)", import\.meta\.url\)\.href,\s*"" \+ import\.meta\.url\s*\)/g;
  return {
    name: 'tagvault:canonical-worker-url',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk' || !chunk.isEntry) continue;
        let found = 0;
        chunk.code = chunk.code.replace(emitted, (match, file: string) => {
          found++;
          const lines = match.split('\n').length - 1;
          return `new URL("./${file}", import.meta.url)${'\n'.repeat(lines)}`;
        });
        if (found !== 1) this.error(`expected one worker URL in ${chunk.fileName}, found ${found}`);
      }
    },
  };
}

export default defineConfig({
  base: './',
  // public/ holds the demo's logo and icons: not part of the library (nor is the demo's PWA plugin,
  // which only vite.config.ts loads).
  publicDir: false,
  plugins: [canonicalWorkerUrl()],
  worker: {
    format: 'es',
    // A stable name: dist/engine.worker.js sits next to dist/tagvault.js.
    rolldownOptions: { output: { entryFileNames: '[name].js' } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // ES library output keeps its whitespace and /* @__PURE__ */ marks (Vite's default for
    // lib mode) so the consumer's bundler can still tree-shake and minify it.
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'tagvault.js' },
    // Stable chunk names (dist/engine.js: the in-thread engine, loaded on demand where there is
    // no Worker; dist/shared.js: the code both use): the consumer's bundler hashes them anyway,
    // and .size-limit.json can name them. (Rolldown also names an empty runtime chunk, which it
    // then drops: it keeps its own name, so the one real shared chunk is always shared.js.)
    rolldownOptions: { output: { chunkFileNames: (chunk) => (chunk.isDynamicEntry || chunk.moduleIds.length === 0 ? '[name].js' : 'shared.js') } },
  },
});
