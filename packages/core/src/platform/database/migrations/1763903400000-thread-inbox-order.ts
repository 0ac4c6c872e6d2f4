import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox list's order (SLA due time, never-due last, then age): without this index every list
 * request sorted all open and pending threads (a top-N sort over tens of thousands of rows at
 * 100,000 threads); with it the list reads the first page in order. The expression must stay
 * identical to the ORDER BY in ThreadsService.list.
 */
export class ThreadInboxOrder1763903400000 implements MigrationInterface {
  name = 'ThreadInboxOrder1763903400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "threads_due_sort_idx" ON "threads" ((COALESCE("sla_due_at", '9999-12-31T00:00:00.000Z'::timestamptz)), "created_at", "id")`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."threads_due_sort_idx"`);
  }
}
