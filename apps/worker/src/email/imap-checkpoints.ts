import type { DataSource } from 'typeorm';
import { ImapCheckpoint } from '@desk/core';

export interface Checkpoint {
  uidValidity: number;
  lastUid: number;
}

/** Reads and moves the `imap_checkpoints` row of one inbox and mailbox. */
export class ImapCheckpoints {
  constructor(private readonly ds: DataSource) {}

  async get(inboxId: string, mailbox: string): Promise<Checkpoint | null> {
    const row = await this.ds.getRepository(ImapCheckpoint).findOneBy({ inboxId, mailbox });
    return row ? { uidValidity: row.uidValidity, lastUid: row.lastUid } : null;
  }

  /** A first sight of the mailbox, or a new UIDVALIDITY: everything from UID 1 is to be imported. */
  async reset(inboxId: string, mailbox: string, uidValidity: number): Promise<Checkpoint> {
    await this.ds.query(
      `INSERT INTO imap_checkpoints (inbox_id, mailbox, uid_validity, last_uid) VALUES ($1, $2, $3, 0)
       ON CONFLICT (inbox_id, mailbox) DO UPDATE SET uid_validity = EXCLUDED.uid_validity, last_uid = 0, updated_at = now()`,
      [inboxId, mailbox, uidValidity],
    );
    return { uidValidity, lastUid: 0 };
  }

  /**
   * Never moves backwards and never applies under another UIDVALIDITY, so a slower concurrent pass
   * (another worker replica) cannot rewind what a faster one recorded.
   */
  async advance(inboxId: string, mailbox: string, uidValidity: number, lastUid: number): Promise<void> {
    await this.ds.query(
      `UPDATE imap_checkpoints SET last_uid = GREATEST(last_uid, $4), updated_at = now()
       WHERE inbox_id = $1 AND mailbox = $2 AND uid_validity = $3`,
      [inboxId, mailbox, uidValidity, lastUid],
    );
  }
}
