import type { ImapFlow } from 'imapflow';
import { emailIdempotencyKey } from '@desk/channels';
import type { AcceptInput, AcceptResult, ImapSettings } from '@desk/core';
import type { ImapCheckpoints } from './imap-checkpoints';

/** The part of an ImapFlow client one sync pass uses (a selected mailbox). */
export type ImapMailboxClient = Pick<ImapFlow, 'mailbox' | 'usable' | 'noop' | 'search' | 'fetchOne' | 'messageFlagsAdd' | 'messageMove'>;

export interface SyncDeps {
  inboxId: string;
  settings: ImapSettings;
  checkpoints: ImapCheckpoints;
  accept(input: AcceptInput): Promise<AcceptResult>;
  /** One line per notable fact (a UIDVALIDITY change); failed messages are in the result. */
  log(line: string): void;
}

export interface SyncResult {
  mailbox: string;
  uidValidity: number;
  /** The server renumbered the mailbox since the last pass: it was read again from UID 1. */
  rescanned: boolean;
  /** New inbound events committed in this pass. */
  imported: number;
  /** Messages whose event already existed (a re-scan, or a pass interrupted after the commit). */
  duplicates: number;
  failed: Array<{ uid: number; error: string }>;
  /** The checkpoint after the pass. */
  lastUid: number;
}

/**
 * One pass over the selected mailbox: every message above the checkpoint is committed through the
 * ingestion door, THEN flagged or moved on the server, THEN the checkpoint moves over it. The
 * checkpoint only moves over a contiguous run of finished messages, so after a failure the next
 * pass starts again at the first unfinished one; messages after it are still tried (one bad
 * message must not hold the mailbox up), and their repeats next time are absorbed by the
 * idempotency key.
 */
export async function syncMailbox(client: ImapMailboxClient, d: SyncDeps): Promise<SyncResult> {
  // Without IDLE the server reports new mail (EXISTS) only in answer to a command: ask for it, or
  // a polling connection that once saw an empty mailbox would keep seeing one.
  await client.noop();
  const box = client.mailbox;
  if (!box) throw new Error('no mailbox selected');
  const mailbox = d.settings.mailbox;
  const uidValidity = Number(box.uidValidity);

  let cp = await d.checkpoints.get(d.inboxId, mailbox);
  const rescanned = cp !== null && cp.uidValidity !== uidValidity;
  if (rescanned) d.log(`UIDVALIDITY of ${mailbox} changed from ${cp!.uidValidity} to ${uidValidity}: re-scanning from UID 1`);
  if (cp === null || rescanned) cp = await d.checkpoints.reset(d.inboxId, mailbox, uidValidity);

  const result: SyncResult = { mailbox, uidValidity, rescanned, imported: 0, duplicates: 0, failed: [], lastUid: cp.lastUid };
  if (box.exists === 0) return result;

  // `n:*` always includes the highest UID, even when it is below n: keep only what is really new.
  const found = (await client.search({ uid: `${cp.lastUid + 1}:*` }, { uid: true })) || [];
  const uids = [...new Set(found)].filter((u) => u > cp.lastUid).sort((a, b) => a - b);

  let contiguous = true;
  for (const uid of uids) {
    try {
      // Fetched one at a time: bounded memory on a re-scan, and no command runs inside a FETCH stream.
      const msg = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
      if (msg && msg.source) {
        const accepted = await d.accept({
          source: 'email',
          inboxId: d.inboxId,
          idempotencyKey: emailIdempotencyKey(msg.source, d.inboxId),
          payload: msg.source,
          contentType: 'message/rfc822',
          meta: { imapUid: uid, uidValidity, mailbox },
        });
        if (accepted.duplicate) result.duplicates++;
        else result.imported++;
        await afterImport(client, uid, d.settings);
      }
      // else: expunged between SEARCH and FETCH (by a person, or a concurrent pass that moved it)
      if (contiguous) {
        await d.checkpoints.advance(d.inboxId, mailbox, uidValidity, uid);
        result.lastUid = uid;
      }
    } catch (e) {
      const error = (e as Error).message;
      contiguous = false;
      // reported by the caller, once per pass
      result.failed.push({ uid, error });
      // a dead connection fails every remaining message the same way: stop here
      if (!client.usable) break;
    }
  }
  return result;
}

async function afterImport(client: ImapMailboxClient, uid: number, s: ImapSettings): Promise<void> {
  if (s.afterImport === 'seen') {
    const flagged = await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    if (!flagged) throw new Error('STORE +FLAGS (\\Seen) failed');
  } else if (s.afterImport === 'move') {
    const moved = await client.messageMove(String(uid), s.moveTo!, { uid: true });
    if (!moved) throw new Error(`MOVE to ${s.moveTo} failed`);
  }
}
