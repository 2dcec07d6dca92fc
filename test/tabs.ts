// Opens another same-origin page in an iframe, with its own copy of tagvault (own engine worker):
// a second tab for test/tabs.test.ts and test/reliability/tabs.test.ts.
import type * as Tagvault from '../src/index';

export interface Tab {
  tagvault: typeof Tagvault;
  close(): void;
}

export async function openTab(): Promise<Tab> {
  const iframe = document.createElement('iframe');
  iframe.src = new URL('./fixtures/tab.html', import.meta.url).href;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('tab did not load')), 20_000);
    const poll = () => {
      const win = iframe.contentWindow as (Window & { tagvault?: typeof Tagvault }) | null;
      if (win?.tagvault) {
        clearTimeout(timer);
        resolve();
      } else setTimeout(poll, 20);
    };
    poll();
  });
  document.body.append(iframe);
  await ready;
  const tagvault = (iframe.contentWindow as Window & { tagvault: typeof Tagvault }).tagvault;
  return { tagvault, close: () => iframe.remove() };
}
