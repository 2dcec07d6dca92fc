// The "is the page blocked?" indicator shown while slow work (Argon2id above all) runs.
//
// A CSS spinner is not proof: browsers animate transforms on the compositor thread, so it keeps
// spinning even when the main thread is frozen. The bar's dot is moved from JavaScript on every
// animation frame, and the frame counter, the longest pause between frames and the click counter
// are all main-thread work: if they move, the page is not blocked.
import { byId } from './dom';

export interface BusyStats {
  /** Wall-clock time of the operation. */
  elapsed: number;
  /** Animation frames drawn meanwhile. */
  frames: number;
  /** Longest pause between two frames, ms. */
  longestGap: number;
  /** Clicks on "Click me" answered meanwhile. */
  clicks: number;
}

let active = false;
let clicks = 0;

/** Wires the "Click me" button; call once. */
export function initBusy(): void {
  byId('ping').addEventListener('click', () => {
    if (!active) return;
    clicks++;
    byId('ping-count').textContent = String(clicks);
  });
}

export function isBusy(): boolean {
  return active;
}

/**
 * Runs `fn` with the indicator showing. One operation at a time: a second one is refused, which
 * also stops a double click from starting the same thing twice.
 */
export async function busy<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; stats: BusyStats }> {
  if (active) throw new Error('Another operation is still running: wait for it to finish.');
  active = true;
  clicks = 0;
  const box = byId('busy');
  const dot = byId('busy-dot');
  const elapsedEl = byId('busy-elapsed');
  const framesEl = byId('busy-frames');
  const gapEl = byId('busy-gap');
  byId('busy-label').textContent = label;
  byId('ping-count').textContent = '0';
  framesEl.textContent = '0';
  gapEl.textContent = '0';
  elapsedEl.textContent = '0.0 s';
  box.hidden = false;
  document.body.setAttribute('aria-busy', 'true');

  const start = performance.now();
  let frames = 0;
  let longestGap = 0;
  let last = start;
  let raf = 0;
  const tick = (now: number): void => {
    frames++;
    longestGap = Math.max(longestGap, now - last);
    last = now;
    const t = (now - start) / 1000;
    // A dot sweeping back and forth, about once a second each way.
    const x = Math.abs((((t % 2) + 2) % 2) - 1);
    dot.style.setProperty('--x', x.toFixed(4));
    elapsedEl.textContent = `${t.toFixed(1)} s`;
    framesEl.textContent = String(frames);
    gapEl.textContent = String(Math.round(longestGap));
    raf = requestAnimationFrame(tick);
  };
  raf = requestAnimationFrame(tick);
  try {
    const value = await fn();
    return { value, stats: { elapsed: performance.now() - start, frames, longestGap, clicks } };
  } finally {
    cancelAnimationFrame(raf);
    active = false;
    box.hidden = true;
    document.body.removeAttribute('aria-busy');
  }
}

/** One sentence about what the page did while the operation ran. */
export function describeStats(stats: BusyStats): string {
  const clickText = stats.clicks === 1 ? '1 click' : `${stats.clicks} clicks`;
  return `Meanwhile the page drew ${stats.frames} frames (longest pause ${Math.round(stats.longestGap)} ms) and answered ${clickText}.`;
}
