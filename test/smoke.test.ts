import { expect, test } from 'vitest';

test('runs in a secure browser context', () => {
  expect(globalThis.isSecureContext).toBe(true);
  expect(typeof crypto.subtle.importKey).toBe('function');
});
