import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search over messages: an expression GIN index (no stored column, so the entity and
 * every writer stay unchanged). The expression must match MESSAGE_SEARCH_DOCUMENT in
 * modules/search/search.service.ts exactly. 'simple' keeps words as written: customers write in
 * many languages, and stemming in the wrong one hurts more than it helps.
 */
export class MessageSearch1763902700000 implements MigrationInterface {
  name = 'MessageSearch1763902700000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "messages_search_idx" ON "messages" USING GIN (to_tsvector('simple'::regconfig, coalesce("subject", '') || ' ' || "body_text"))`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "messages_search_idx"`);
  }
}
