import type { Readable } from 'node:stream';
import { BadRequestException, Inject, Injectable, Logger, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { MAX_MESSAGE_ATTACHMENT_TOTAL_BYTES, type UploadedAttachment } from '@desk/contracts';
import { AuditService } from '../audit/audit.service';
import { FILE_STORE, FileTooLargeError, type FileStore } from '../storage/file-store';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { Attachment } from './attachment.entity';
import type { Viewer } from './threads.service';

/** An upload no reply or note claimed within this long is a leftover of an abandoned draft. */
export const UNCLAIMED_UPLOAD_TTL_MS = 24 * 60 * 60_000;

/** The pg driver answers UPDATE/DELETE … RETURNING through `query` as [rows, count]. */
function returned<T>(res: unknown): T[] {
  const r = res as unknown[];
  return (Array.isArray(r[0]) ? r[0] : r) as T[];
}

/** 400/413 in the shape every error has, naming the field. */
function fieldError(Ex: typeof BadRequestException | typeof PayloadTooLargeException, path: string, message: string): Error {
  return new Ex({ message: `${path}: ${message}`, fields: [{ path, message }] });
}

/**
 * Agents' attachments: an upload is stored (bytes streamed to the file store, a row with no
 * message) before the reply or note that carries it exists, then claimed by that message inside
 * its transaction. Unclaimed uploads are swept after a day. Inbound attachments are written by
 * ingestion; both kinds are downloaded through `open`.
 */
@Injectable()
export class AttachmentsService {
  private readonly log = new Logger(AttachmentsService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    @Inject(FILE_STORE) private readonly files: FileStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Streams one file to the store (413 naming `file` above MAX_ATTACHMENT_BYTES, nothing kept) and records it as the agent's upload. */
  async upload(content: Readable, meta: { filename: string; contentType: string }, viewer: Viewer): Promise<UploadedAttachment> {
    const max = this.config.MAX_ATTACHMENT_BYTES;
    let stored: { key: string; sha256: string; size: number };
    try {
      stored = await this.files.putStream(content, { maxBytes: max });
    } catch (e) {
      if (e instanceof FileTooLargeError) throw fieldError(PayloadTooLargeException, 'file', `must be at most ${max} bytes`);
      throw e;
    }
    const row = await this.ds.transaction(async (m) => {
      const saved = await m.save(Attachment, {
        messageId: null,
        uploadedByAgentId: viewer.id,
        filename: meta.filename,
        contentType: meta.contentType,
        sizeBytes: stored.size,
        storageKey: stored.key,
        sha256: stored.sha256,
        contentId: null,
        isInline: false,
      });
      await this.audit.record(
        { actor: { kind: 'agent', agentId: viewer.id }, action: 'attachment.uploaded', data: { attachmentId: saved.id, filename: saved.filename, sizeBytes: saved.sizeBytes } },
        m,
      );
      return saved;
    });
    return { id: row.id, filename: row.filename, contentType: row.contentType, sizeBytes: row.sizeBytes };
  }

  /** Takes back an upload whose request failed after the file was stored (multer's _removeFile). */
  async discardUpload(id: string): Promise<void> {
    const rows = returned<{ storage_key: string }>(await this.ds.query(`DELETE FROM attachments WHERE id = $1 AND message_id IS NULL RETURNING storage_key`, [id]));
    await this.removeOrphanFiles(rows.map((r) => r.storage_key), new Date(Date.now() + 1000));
  }

  /**
   * Inside the message's transaction: moves the agent's own unclaimed uploads onto the message.
   * 400 naming `attachmentIds` unless every id was claimed (unknown, another agent's, already on a
   * message) or when together they pass the per-message total; the transaction then rolls the
   * claim back with the message.
   */
  async claim(m: EntityManager, messageId: string, ids: readonly string[], viewer: Viewer): Promise<void> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return;
    const claimed = returned<{ size_bytes: string }>(
      await m.query(
        `UPDATE attachments SET message_id = $1
          WHERE id = ANY($2::uuid[]) AND message_id IS NULL AND uploaded_by_agent_id = $3
          RETURNING size_bytes`,
        [messageId, unique, viewer.id],
      ),
    );
    if (claimed.length !== unique.length) {
      throw fieldError(BadRequestException, 'attachmentIds', `${unique.length - claimed.length} of the files are not your pending uploads (already sent, expired or not yours); upload them again`);
    }
    const total = claimed.reduce((sum, r) => sum + Number(r.size_bytes), 0);
    if (total > MAX_MESSAGE_ATTACHMENT_TOTAL_BYTES) {
      throw fieldError(BadRequestException, 'attachmentIds', `the files add up to ${total} bytes; a message may carry at most ${MAX_MESSAGE_ATTACHMENT_TOTAL_BYTES}`);
    }
  }

  /**
   * An attachment's metadata and bytes for download. Any agent may read attachments of messages;
   * an upload not yet sent only its uploader (it is part of a draft).
   */
  async open(id: string, viewer: Viewer): Promise<{ attachment: Attachment; content: Readable }> {
    const attachment = await this.ds.getRepository(Attachment).findOneBy({ id });
    if (!attachment || (attachment.messageId === null && attachment.uploadedByAgentId !== viewer.id)) throw new NotFoundException('attachment not found');
    try {
      return { attachment, content: await this.files.openRead(attachment.storageKey) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        this.log.error(`attachment ${id}: its file ${attachment.storageKey} is missing from the store`);
        throw new NotFoundException('attachment file not found');
      }
      throw e;
    }
  }

  /** A message's attachments in the order they were added (the deliver job attaches them). */
  forMessage(messageId: string): Promise<Attachment[]> {
    return this.ds.getRepository(Attachment).find({ where: { messageId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Deletes uploads no message claimed within the TTL, and their files when no other row (inbound
   * attachment, another upload of the same bytes) references the key. Batched so a backlog never
   * holds one long transaction.
   */
  async deleteUnclaimed(now = new Date(), batch = 500): Promise<{ deleted: number; filesRemoved: number }> {
    const cutoff = new Date(now.getTime() - UNCLAIMED_UPLOAD_TTL_MS);
    let deleted = 0;
    let filesRemoved = 0;
    for (;;) {
      const gone = returned<{ storage_key: string }>(
        await this.ds.query(
          `DELETE FROM attachments WHERE id IN (
             SELECT id FROM attachments WHERE message_id IS NULL AND created_at < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING storage_key`,
          [cutoff, batch],
        ),
      );
      deleted += gone.length;
      filesRemoved += await this.removeOrphanFiles(gone.map((r) => r.storage_key), cutoff);
      if (gone.length < batch) break;
    }
    return { deleted, filesRemoved };
  }

  /**
   * Removes the files of keys no row references any more. A file stored again after `storedBefore`
   * (same bytes uploaded or received just now, its row about to be written) is kept: the store
   * refreshes a file's time on every put.
   */
  private async removeOrphanFiles(keys: string[], storedBefore: Date): Promise<number> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return 0;
    const referenced: Array<{ storage_key: string }> = await this.ds.query(`SELECT DISTINCT storage_key FROM attachments WHERE storage_key = ANY($1::text[])`, [unique]);
    const keep = new Set(referenced.map((r) => r.storage_key));
    let removed = 0;
    for (const key of unique) {
      if (keep.has(key)) continue;
      if (await this.files.delete(key, { storedBefore })) removed++;
    }
    return removed;
  }
}
