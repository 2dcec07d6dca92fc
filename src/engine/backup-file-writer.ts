// Writing a backup file as Blob parts while hashing it (hash-wasm's streaming SHA-256: WebCrypto
// cannot hash a stream). Small pieces (record prefixes, small values) are copied into a 1 MiB
// buffer, hashed and kept a buffer at a time, so 10,000 records cost a dozen hash calls, not
// 20,000; a big value is hashed and kept as it is, without a copy. Parts are gathered into a Blob
// every few MiB, so the pieces can be let go while the rest is written.
import { createSHA256, type IHasher } from 'hash-wasm';

/** The staging buffer for small pieces. */
const BUFFER_BYTES = 1024 * 1024;
/** A piece at least this long is kept as it is rather than copied into the buffer. */
const DIRECT_BYTES = 64 * 1024;
/** Parts are gathered into a Blob once they hold this much. */
const BLOB_BYTES = 4 * 1024 * 1024;

/** A backup file being written: every byte given to {@link write} is in the file and in its digest. */
export class BackupFileWriter {
  readonly #sha: IHasher;
  readonly #blobs: Blob[] = [];
  #parts: BlobPart[] = [];
  #partBytes = 0;
  readonly #buffer = new Uint8Array(BUFFER_BYTES);
  #used = 0;

  private constructor(sha: IHasher) {
    this.#sha = sha;
  }

  static async create(): Promise<BackupFileWriter> {
    const sha = await createSHA256();
    sha.init();
    return new BackupFileWriter(sha);
  }

  /** Appends bytes (hashed). The caller may reuse `bytes` only if it is shorter than 64 KiB. */
  write(bytes: Uint8Array): void {
    if (bytes.length >= DIRECT_BYTES) {
      this.#flush();
      this.#sha.update(bytes);
      this.#keep(bytes);
      return;
    }
    if (this.#used + bytes.length > BUFFER_BYTES) this.#flush();
    this.#buffer.set(bytes, this.#used);
    this.#used += bytes.length;
  }

  /** The SHA-256 of everything written so far. */
  digest(): Uint8Array {
    this.#flush();
    return this.#sha.digest('binary');
  }

  /** The file: everything written, then `tail` (not hashed: the sealed trailer). */
  finish(tail: Uint8Array<ArrayBuffer>): Blob {
    this.#flush();
    this.#parts.push(tail);
    return new Blob([...this.#blobs, new Blob(this.#parts)], { type: 'application/octet-stream' });
  }

  #flush(): void {
    if (this.#used === 0) return;
    const piece = this.#buffer.slice(0, this.#used);
    this.#used = 0;
    this.#sha.update(piece);
    this.#keep(piece);
  }

  #keep(piece: Uint8Array): void {
    this.#parts.push(piece as Uint8Array<ArrayBuffer>);
    this.#partBytes += piece.length;
    if (this.#partBytes >= BLOB_BYTES) {
      this.#blobs.push(new Blob(this.#parts));
      this.#parts = [];
      this.#partBytes = 0;
    }
  }
}
