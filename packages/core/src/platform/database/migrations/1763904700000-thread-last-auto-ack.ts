import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the thread last got an automatic acknowledgement. The quiet-period check reads it on the
 * thread row the acknowledgement's single statement locks (a condition on the locked row is
 * re-checked after a concurrent writer commits; a scan of messages would not be), which lets the
 * acknowledgement skip a transaction of its own. Filled from the acknowledgements already sent.
 */
export class ThreadLastAutoAck1763904700000 implements MigrationInterface {
  name = 'ThreadLastAutoAck1763904700000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "threads" ADD "last_auto_ack_at" TIMESTAMP(3) WITH TIME ZONE`);
    await q.query(
      `UPDATE "threads" t SET "last_auto_ack_at" = a.at
         FROM (SELECT thread_id, max(created_at) AS at FROM "messages"
                WHERE direction = 'outbound' AND metadata @> '{"autoAck": true}'::jsonb GROUP BY thread_id) a
        WHERE a.thread_id = t.id`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "threads" DROP COLUMN "last_auto_ack_at"`);
  }
}
