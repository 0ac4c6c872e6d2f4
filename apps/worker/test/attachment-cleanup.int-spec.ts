import { existsSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AttachmentsService, type Viewer } from '@desk/core';
import { Factories, createTestEnv, type TestEnv } from '@desk/testing';
import { createWorker } from '../src/worker.factory';
import { AttachmentCleanupJob } from '../src/maintenance/attachment-cleanup.job';

describe('attachment-cleanup: unclaimed uploads older than a day are deleted (real Postgres, Redis and file store)', () => {
  let env: TestEnv;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let f: Factories;

  beforeAll(async () => {
    env = await createTestEnv();
    worker = await createWorker(env.config, { logger: false });
    ds = worker.get(DataSource);
    f = new Factories(ds);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
  });

  it('runs hourly and removes old unclaimed uploads with their files, keeping young ones and shared bytes', async () => {
    const job = worker.get(AttachmentCleanupJob);
    expect(job.every).toBe(60 * 60_000);
    const attachments = worker.get(AttachmentsService);
    const agent = await f.agent();
    const viewer: Viewer = { id: agent.id, role: 'agent', teamIds: [] };
    const put = (text: string, filename: string) => attachments.upload(Readable.from([Buffer.from(text)]), { filename, contentType: 'text/plain' }, viewer);
    const old = await put('left in a draft yesterday', 'old.txt');
    const oldShared = await put('bytes two rows share', 'old-shared.txt');
    const youngShared = await put('bytes two rows share', 'young-shared.txt');
    const young = await put('uploaded a minute ago', 'young.txt');
    const keyOf = async (id: string) => (await ds.query(`SELECT storage_key FROM attachments WHERE id = $1`, [id]))[0]?.storage_key as string | undefined;
    const fileOf = (key: string) => join(env.config.DATA_DIR, 'attachments', key);
    const oldKey = (await keyOf(old.id))!;
    const sharedKey = (await keyOf(oldShared.id))!;

    // a day and an hour ago, as rows and as files
    const past = new Date(Date.now() - 25 * 60 * 60_000);
    await ds.query(`UPDATE attachments SET created_at = $2 WHERE id = ANY($1::uuid[])`, [[old.id, oldShared.id], past]);
    await utimes(fileOf(oldKey), past, past);
    await utimes(fileOf(sharedKey), past, past);

    const result = await job.handle();
    expect(result).toEqual({ deleted: 2, filesRemoved: 1 });
    expect(await keyOf(old.id)).toBeUndefined();
    expect(await keyOf(oldShared.id)).toBeUndefined();
    expect(existsSync(fileOf(oldKey))).toBe(false);
    // the young upload of the same bytes still needs the file
    expect(await keyOf(youngShared.id)).toBe(sharedKey);
    expect(existsSync(fileOf(sharedKey))).toBe(true);
    expect(await keyOf(young.id)).toBeDefined();

    // nothing left to do: a second run is a no-op
    expect(await job.handle()).toEqual({ deleted: 0, filesRemoved: 0 });
  });
});
