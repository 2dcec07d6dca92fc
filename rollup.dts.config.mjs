// The declarations, as one file: `tsc -p tsconfig.build.json` writes one .d.ts per module into
// .tmp/types (stripInternal: @internal members are already gone there), then rollup-plugin-dts
// bundles what src/index.ts exports into dist/tagvault.d.ts, the package's only .d.ts. One file
// has no relative imports, so it resolves the same under every moduleResolution (node16,
// nodenext, bundler), and it is what a user's editor shows. Run by `npm run build`, after tsc.
import { rmdirSync, rmSync } from 'node:fs';
import { dts } from 'rollup-plugin-dts';

const TYPES = '.tmp/types';

export default {
  input: `${TYPES}/src/index.d.ts`,
  output: {
    file: 'dist/tagvault.d.ts',
    format: 'es',
    // `await using db` (Symbol.asyncDispose) is in no ES20xx lib yet: without this line a
    // consumer whose `lib` stops at ES2022 + DOM gets an error inside tagvault.d.ts.
    banner: '/// <reference lib="esnext.disposable" />',
  },
  plugins: [
    dts(),
    {
      name: 'tagvault:drop-intermediate-types',
      // Gone after every build, so a later build never bundles a stale file.
      closeBundle() {
        rmSync(TYPES, { recursive: true, force: true });
        try {
          rmdirSync('.tmp'); // when nothing else is in it
        } catch {}
      },
    },
  ],
};
