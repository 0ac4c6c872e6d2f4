import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Thread merges (issue 3): a merged-away thread points at the thread that took its messages, so a
 * reply token or `[#N]` naming it still finds the conversation. Partial index: few threads are
 * merged, and the FK's ON DELETE SET NULL needs the lookup.
 */
export class ThreadMerges1763904400000 implements MigrationInterface {
  name = 'ThreadMerges1763904400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "threads" ADD "merged_into_thread_id" uuid`);
    await q.query(`CREATE INDEX "threads_merged_into_idx" ON "threads" ("merged_into_thread_id") WHERE "merged_into_thread_id" IS NOT NULL`);
    await q.query(
      `ALTER TABLE "threads" ADD CONSTRAINT "FK_5b1e88c11195eeb8c174a34e1e6" FOREIGN KEY ("merged_into_thread_id") REFERENCES "threads"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "threads" DROP CONSTRAINT "FK_5b1e88c11195eeb8c174a34e1e6"`);
    await q.query(`DROP INDEX "public"."threads_merged_into_idx"`);
    await q.query(`ALTER TABLE "threads" DROP COLUMN "merged_into_thread_id"`);
  }
}
