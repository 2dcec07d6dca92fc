// Moving bytes between threads with Comlink.transfer: the buffer moves, nothing is copied.
import { transfer } from 'comlink';

/** True when `bytes` spans its whole ArrayBuffer, so moving the buffer moves nothing else. */
export function ownsBuffer(bytes: Uint8Array): bytes is Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/** Marks `bytes` (which must span its own ArrayBuffer) to be moved, not copied, when sent. */
export function moved<T extends Uint8Array<ArrayBuffer>>(bytes: T): T {
  return transfer(bytes, [bytes.buffer]);
}
