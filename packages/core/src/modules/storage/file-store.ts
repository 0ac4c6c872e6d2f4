import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Where attachment bytes live. Keys are content addresses (`sha256/ab/cd/<hex>`), so storing the
 * same bytes twice is a no-op and a retried ingestion never duplicates a file. An S3-compatible
 * store can implement the same interface later.
 */
export interface FileStore {
  /** Stores the bytes (idempotent) and returns their key. */
  put(content: Buffer): Promise<{ key: string; sha256: string; size: number }>;
  /**
   * Stores a stream without holding it in memory (agents' uploads). Rejects with
   * `FileTooLargeError`, keeping nothing, as soon as more than `maxBytes` arrive.
   */
  putStream(content: Readable, opts?: { maxBytes?: number }): Promise<{ key: string; sha256: string; size: number }>;
  get(key: string): Promise<Buffer>;
  /**
   * The bytes as a stream (downloads, outgoing mail), so large files never sit in memory whole.
   * Opens the file first: a missing file rejects here (ENOENT), not halfway through a response.
   */
  openRead(key: string): Promise<Readable>;
  /**
   * Removes the bytes; the caller checks that no row still references the key. With `storedBefore`,
   * a file put again since then (its new row may not be written yet) is kept. True when removed.
   */
  delete(key: string, opts?: { storedBefore?: Date }): Promise<boolean>;
}

export const FILE_STORE = Symbol('FILE_STORE');

/** A stream passed `putStream`'s `maxBytes`. */
export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`larger than ${maxBytes} bytes`);
    this.name = 'FileTooLargeError';
  }
}

export function contentKey(sha256: string): string {
  return `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

/** Files under `<root>` (DATA_DIR/attachments); writes go to a temp file, then rename (atomic). */
export class LocalFileStore implements FileStore {
  constructor(private readonly root: string) {}

  async put(content: Buffer): Promise<{ key: string; sha256: string; size: number }> {
    const sha256 = createHash('sha256').update(content).digest('hex');
    const key = contentKey(sha256);
    const path = this.pathOf(key);
    const exists = await stat(path).then(
      (s) => s.size === content.length,
      () => false,
    );
    // a put is a use: the time tells the unclaimed-upload sweep the file was just wanted again
    if (exists) await utimes(path, new Date(), new Date()).catch(() => undefined);
    else {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(tmp, content);
      await rename(tmp, path);
    }
    return { key, sha256, size: content.length };
  }

  /** The key is known only at the end, so the bytes go to `<root>/tmp` first (same disk: rename stays atomic). */
  async putStream(content: Readable, opts: { maxBytes?: number } = {}): Promise<{ key: string; sha256: string; size: number }> {
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${randomBytes(12).toString('hex')}.tmp`);
    const hash = createHash('sha256');
    let size = 0;
    const max = opts.maxBytes ?? Infinity;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) return done(new FileTooLargeError(max));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(content, meter, createWriteStream(tmp));
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    const sha256 = hash.digest('hex');
    const key = contentKey(sha256);
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // same bytes already stored: the rename just replaces them with identical ones
    await rename(tmp, path);
    return { key, sha256, size };
  }

  get(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }

  async openRead(key: string): Promise<Readable> {
    const handle = await open(this.pathOf(key), 'r');
    return handle.createReadStream();
  }

  async delete(key: string, opts: { storedBefore?: Date } = {}): Promise<boolean> {
    const path = this.pathOf(key);
    if (opts.storedBefore) {
      const s = await stat(path).catch(() => null);
      if (!s || s.mtime.getTime() >= opts.storedBefore.getTime()) return false;
    }
    await rm(path, { force: true });
    return true;
  }

  private pathOf(key: string): string {
    if (!/^sha256\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(key)) throw new Error(`invalid file store key: ${key}`);
    return join(this.root, key);
  }
}
