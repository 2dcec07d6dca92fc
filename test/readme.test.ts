import run from 'virtual:readme-snippets';
import { expect, test } from 'vitest';
import * as tagvault from '../src/index';

test('every ts snippet of the README runs, and its `// →` results hold', async () => {
  const checked: string[] = [];
  await run({
    ...tagvault,
    check(actual: unknown, expected: unknown, line: string) {
      checked.push(line);
      expect(actual, line).toEqual(expected);
    },
  });
  expect(checked.length).toBeGreaterThan(25);
});
