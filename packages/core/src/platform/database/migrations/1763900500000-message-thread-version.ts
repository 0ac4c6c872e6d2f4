import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Collision control for replies: each message records the thread version it produced, so "what
 * was added after the version the agent saw" is one indexed query. Existing rows stay NULL (they
 * predate any version an agent can still hold open).
 */
export class MessageThreadVersion1763900500000 implements MigrationInterface {
  name = 'MessageThreadVersion1763900500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "messages" ADD "thread_version" integer`);
    await q.query(`CREATE INDEX "messages_thread_version_idx" ON "messages"  ("thread_id", "thread_version") `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."messages_thread_version_idx"`);
    await q.query(`ALTER TABLE "messages" DROP COLUMN "thread_version"`);
  }
}
