// tagvault's errors across the wire. Comlink alone sends a thrown error as `{ name, message,
// stack }`, losing its class and its fields; this replaces Comlink's "throw" transfer handler so
// the class, `.argument`, `.value` and `cause` survive, on the worker path and the in-thread path
// alike. Both ends call {@link transferErrors} before the first call.
import { type TransferHandler, transferHandlers } from 'comlink';
import * as errors from '../errors';
import { FutureTimestampError, TagvaultError, TimeoutError, ValidationError } from '../errors';

/** An error as it crosses the wire: plain data only. */
interface WireError {
  name: string;
  message: string;
  argument?: string;
  value?: number;
  cause?: { name: string; message: string };
}

/** Flattens an error for `postMessage`, keeping the fields our classes carry. */
function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'TagvaultError', message: String(error) };
  const wire: WireError = { name: error.name, message: error.message };
  if (error instanceof ValidationError) wire.argument = error.argument;
  if (error instanceof TimeoutError) wire.value = error.value;
  const cause = error.cause;
  if (cause instanceof Error || cause instanceof DOMException) wire.cause = { name: cause.name, message: cause.message };
  return wire;
}

/** Rebuilds a typed error on this side of the wire, so `instanceof` works. */
function fromWire(wire: WireError): Error {
  const options: ErrorOptions | undefined = wire.cause ? { cause: Object.assign(new Error(wire.cause.message), { name: wire.cause.name }) } : undefined;
  if (wire.name === 'ValidationError') {
    const e = new ValidationError(wire.argument ?? 'argument', '', options);
    e.message = wire.message;
    return e;
  }
  if (wire.name === 'TimeoutError') return new TimeoutError(wire.value ?? 0, options);
  if (wire.name === 'FutureTimestampError') return new FutureTimestampError(wire.value ?? 0, options);
  // Every other class of errors.ts takes (message, options): rebuilt by its name. (Those taking a
  // value, TimeoutError and its subclass, are rebuilt above: `new Class(message)` would set
  // `.value` to the message.)
  const Class = (errors as Record<string, unknown>)[wire.name];
  if (typeof Class === 'function' && (Class === TagvaultError || Class.prototype instanceof TagvaultError)) {
    return new (Class as typeof TagvaultError)(wire.message, options);
  }
  // Not one of ours (a bug, or the browser's): keep its name and message.
  return Object.assign(new TagvaultError(wire.message, options), { name: wire.name });
}

/** Installs the transfer handler for thrown errors (idempotent). */
export function transferErrors(): void {
  const comlinks = transferHandlers.get('throw') as TransferHandler<{ value: unknown }, WireError>;
  transferHandlers.set('throw', {
    canHandle: comlinks.canHandle,
    serialize: ({ value }) => [toWire(value), []],
    deserialize: (wire) => {
      throw fromWire(wire);
    },
  } satisfies TransferHandler<{ value: unknown }, WireError>);
}
