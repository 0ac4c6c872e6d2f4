import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Where attachment bytes live. Keys are content addresses (`sha256/ab/cd/<hex>`), so storing the
 * same bytes twice is a no-op and a retried ingestion never duplicates a file. An S3-compatible
 * store can implement the same interface later.
 */
export interface FileStore {
  /** Stores the bytes (idempotent) and returns their key. */
  put(content: Buffer): Promise<{ key: string; sha256: string; size: number }>;
  get(key: string): Promise<Buffer>;
}

export const FILE_STORE = Symbol('FILE_STORE');

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
    if (!exists) {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(tmp, content);
      await rename(tmp, path);
    }
    return { key, sha256, size: content.length };
  }

  get(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key));
  }

  private pathOf(key: string): string {
    if (!/^sha256\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(key)) throw new Error(`invalid file store key: ${key}`);
    return join(this.root, key);
  }
}
