// The wire between the page and the engine behaves the same on both paths: the engine in its
// Worker (what a page uses) and in-thread behind a MessageChannel (what tagvault uses inside a
// worker). Errors keep their class, fields and cause; transferred buffers are moved (detached).
import { expose, wrap } from 'comlink';
import { describe, expect, test } from 'vitest';
import { AuthenticationError, Database, DatabaseClosedError, Keys, TimeoutError, ValidationError } from '../src/index';
import { type EngineRemote, engine, inThreadEngine } from '../src/wire/client';
import { transferErrors } from '../src/wire/error-transfer';
import { moved } from '../src/wire/transfer';
import { freshDirectory, sleep } from './helpers';

const paths: [string, () => EngineRemote][] = [
  ['worker', engine],
  ['in-thread', inThreadEngine],
];

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe.each(paths)('the engine, %s', (_path, connect) => {
  async function openVault(remote: EngineRemote) {
    return remote.openVault({ kind: 'root', directory: freshDirectory(), root: moved(Keys.csprng()), preload: true });
  }

  test('an AuthenticationError keeps its class, message and cause', async () => {
    const remote = connect();
    const { handle } = await openVault(remote);
    const envelope = await remote.encrypt(handle, moved(new Uint8Array([1, 2, 3])), 'bytes', '');
    envelope[envelope.length - 1]! ^= 1;
    const error = await rejection(remote.decrypt(handle, moved(envelope), 'bytes', ''));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.name).toBe('AuthenticationError');
    expect(error.message).toMatch(/authentication failed/);
    // WebCrypto's own error, kept as the cause.
    expect((error.cause as Error).name).toBe('OperationError');
  });

  test('a TimeoutError keeps its .value; a closed handle is a DatabaseClosedError', async () => {
    const remote = connect();
    const { handle } = await openVault(remote);
    const envelope = await remote.encrypt(handle, moved(new Uint8Array([1])), 'bytes', '');
    await sleep(1100);
    const error = await rejection(remote.decrypt(handle, moved(envelope), 'bytes', '', 0.001));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).value).toBeGreaterThanOrEqual(1);
    await remote.closeVault(handle);
    expect(await rejection(remote.hmac(handle, moved(new Uint8Array(1))))).toBeInstanceOf(DatabaseClosedError);
  });

  test('bytes sent with transfer are moved: the sender is left detached', async () => {
    const remote = connect();
    const { handle } = await openVault(remote);
    const plaintext = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 255);
    const copy = plaintext.slice();
    const envelope = await remote.encrypt(handle, moved(plaintext), 'bytes', '');
    expect(plaintext.byteLength).toBe(0);
    expect(plaintext.buffer.byteLength).toBe(0);
    const opened = await remote.decrypt(handle, moved(envelope), 'bytes', '');
    expect(envelope.byteLength).toBe(0);
    expect(opened).toEqual(copy);
  });
});

test('the error transfer handler keeps a ValidationError argument and its cause across a port', async () => {
  transferErrors();
  const { port1, port2 } = new MessageChannel();
  expose(
    {
      fail() {
        throw new ValidationError('options.x', 'is refused', { cause: new RangeError('inner') });
      },
    },
    port1,
  );
  const error = await rejection(wrap<{ fail(): void }>(port2).fail());
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).argument).toBe('options.x');
  expect(error.message).toBe('"options.x" is refused');
  expect((error.cause as Error).name).toBe('RangeError');
  expect((error.cause as Error).message).toBe('inner');
});

test('tagvault inside a worker (the in-thread engine) behaves as on a page', async () => {
  const worker = new Worker(new URL('./fixtures/in-worker.ts', import.meta.url), { type: 'module' });
  const result = await new Promise<Record<string, unknown>>((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data as Record<string, unknown>);
    worker.onerror = (e) => reject(new Error(e.message));
  });
  worker.terminate();
  expect(result).toEqual({
    detached: 0,
    roundTrip: true,
    saved: { a: 1 },
    authentication: ['AuthenticationError', true, 'OperationError'],
    validation: ['ValidationError', true, 'options.ttl'],
    closed: ['DatabaseClosedError', true],
  });
  // The same on this page, through the Worker.
  const db = await Database.open(Keys.csprng(), { directory: freshDirectory() });
  const bytes = new Uint8Array(64);
  await db.bytesEncrypt(bytes, { transfer: true });
  expect(bytes.byteLength).toBe(0);
});
