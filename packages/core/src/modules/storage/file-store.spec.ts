import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FileTooLargeError, LocalFileStore, contentKey } from './file-store';

describe('LocalFileStore streaming', () => {
  let root: string;
  let store: LocalFileStore;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'file-store-'));
    store = new LocalFileStore(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const chunks = (b: Buffer, size = 1000) => Readable.from(Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size)));
  const read = async (s: Readable) => {
    const out: Buffer[] = [];
    for await (const c of s) out.push(c as Buffer);
    return Buffer.concat(out);
  };

  it('stores a stream under its content address, the same key as put(), and reads it back as a stream', async () => {
    const bytes = randomBytes(10_000);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const stored = await store.putStream(chunks(bytes), { maxBytes: 10_000 });
    expect(stored).toEqual({ key: contentKey(sha), sha256: sha, size: 10_000 });
    expect(await store.put(bytes)).toEqual(stored);
    expect((await read(await store.openRead(stored.key))).equals(bytes)).toBe(true);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('refuses a stream over maxBytes and keeps nothing, not even the temp file', async () => {
    const bytes = randomBytes(5_001);
    await expect(store.putStream(chunks(bytes), { maxBytes: 5_000 })).rejects.toBeInstanceOf(FileTooLargeError);
    const sha = createHash('sha256').update(bytes).digest('hex');
    await expect(readFile(join(root, contentKey(sha)))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('opening a missing file rejects at once with ENOENT', async () => {
    await expect(store.openRead(contentKey('0'.repeat(64)))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('delete with storedBefore keeps a file put again since then; put refreshes an existing file', async () => {
    const bytes = Buffer.from('shared bytes');
    const { key } = await store.put(bytes);
    const path = join(root, key);
    const old = new Date(Date.now() - 48 * 3600_000);
    const cutoff = new Date(Date.now() - 24 * 3600_000);
    await utimes(path, old, old);
    await store.put(bytes); // the same bytes arrive again: the file counts as new
    expect(await store.delete(key, { storedBefore: cutoff })).toBe(false);
    await utimes(path, old, old);
    expect(await store.delete(key, { storedBefore: cutoff })).toBe(true);
    await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await store.delete(key)).toBe(true); // missing is fine
  });
});
