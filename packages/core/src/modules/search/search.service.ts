import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HIGHLIGHT_START, HIGHLIGHT_STOP, type MessageHit, type SearchQuery, type SearchResults } from '@desk/contracts';
import { ContactsService } from '../contacts/contacts.service';
import { Thread } from '../conversations/thread.entity';
import { toThreadSummary } from '../conversations/thread.mapper';

/**
 * The document searched for a message. Must stay byte-identical to the expression of the
 * `messages_search_idx` GIN index (migration 1763902700000), or Postgres will not use the index.
 */
export const MESSAGE_SEARCH_DOCUMENT = `to_tsvector('simple'::regconfig, coalesce(m.subject, '') || ' ' || m.body_text)`;

const HEADLINE_OPTIONS = `StartSel=${HIGHLIGHT_START}, StopSel=${HIGHLIGHT_STOP}, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "`;

/** Owns the console's one search box. Read-only; every group is capped at `limit` rows. */
@Injectable()
export class SearchService {
  constructor(
    private readonly ds: DataSource,
    private readonly contacts: ContactsService,
  ) {}

  async search(q: SearchQuery): Promise<SearchResults> {
    const text = q.q.trim();
    const [threads, contacts, messages] = await Promise.all([
      this.threadsByNumber(text),
      this.contacts.list({ q: text, limit: q.limit }).then((p) => p.items),
      this.messagesByWords(text, q.limit),
    ]);
    return { threads, contacts, messages };
  }

  private async threadsByNumber(text: string) {
    const m = /^#?\s*(\d{1,9})$/.exec(text);
    if (!m?.[1]) return [];
    const rows = await this.ds
      .getRepository(Thread)
      .find({ where: { number: Number(m[1]) }, relations: { contact: true, assignee: true } });
    return rows.map(toThreadSummary);
  }

  private async messagesByWords(text: string, limit: number): Promise<MessageHit[]> {
    // websearch_to_tsquery never throws on user input (quotes, "or", "-word" work as expected).
    const rows: {
      id: string;
      thread_id: string;
      number: number;
      thread_subject: string | null;
      direction: MessageHit['direction'];
      channel: MessageHit['channel'];
      highlight: string;
      rank: number;
      created_at: Date;
    }[] = await this.ds.query(
      `WITH query AS (SELECT websearch_to_tsquery('simple', $1) AS tsq),
       hits AS (
         SELECT m.id, m.thread_id, m.direction, m.channel, m.subject, m.body_text, m.created_at,
                ts_rank(${MESSAGE_SEARCH_DOCUMENT}, query.tsq) AS rank
         FROM messages m, query
         WHERE ${MESSAGE_SEARCH_DOCUMENT} @@ query.tsq
         ORDER BY rank DESC, m.created_at DESC, m.id DESC
         LIMIT $2
       )
       SELECT h.id, h.thread_id, t.number, t.subject AS thread_subject, h.direction, h.channel, h.rank, h.created_at,
              ts_headline('simple', coalesce(h.subject, '') || ' ' || h.body_text, query.tsq, $3) AS highlight
       FROM hits h JOIN threads t ON t.id = h.thread_id, query
       ORDER BY h.rank DESC, h.created_at DESC, h.id DESC`,
      [text, limit, HEADLINE_OPTIONS],
    );
    return rows.map((r) => ({
      messageId: r.id,
      threadId: r.thread_id,
      threadNumber: r.number,
      threadSubject: r.thread_subject,
      direction: r.direction,
      channel: r.channel,
      highlight: r.highlight.trim(),
      rank: Number(r.rank),
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }
}
