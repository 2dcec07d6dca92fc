// `npm run icons`: the demo's PNG icons and favicon.ico, all made from public/logo.svg with
// @vite-pwa/assets-generator (sharp). The results are committed in public/, so the build does not
// need the generator: run it again after changing the logo.
import { defineConfig, minimal2023Preset } from '@vite-pwa/assets-generator/config';

/** The page's accent colour (--accent in demo/style.css), the logo's own background. */
const ACCENT = '#1d4ed8';

export default defineConfig({
  headLinkOptions: { preset: '2023' },
  preset: {
    ...minimal2023Preset,
    // Maskable and Apple icons are cropped by the platform: the lock sits inside the safe zone, on
    // the logo's blue rather than the preset's white.
    maskable: { ...minimal2023Preset.maskable, padding: 0.3, resizeOptions: { background: ACCENT } },
    apple: { ...minimal2023Preset.apple, padding: 0.3, resizeOptions: { background: ACCENT } },
  },
  images: ['public/logo.svg'],
});
