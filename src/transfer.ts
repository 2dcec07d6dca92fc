// Moving bytes between threads: transfer ArrayBuffers instead of copying them.

/**
 * The ArrayBuffers of the Uint8Arrays in `value` (top level, in arrays, or in plain objects up to
 * a small depth) that own their whole buffer, so transferring them moves nothing else.
 */
export function transferables(value: unknown, depth = 3, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (value instanceof Uint8Array) {
    const buffer = value.buffer;
    if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength && !out.includes(buffer)) {
      out.push(buffer);
    }
  } else if (depth > 0 && value && typeof value === 'object') {
    for (const v of Array.isArray(value) ? value : Object.values(value)) transferables(v, depth - 1, out);
  }
  return out;
}
