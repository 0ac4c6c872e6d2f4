import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Social channels: the thread each conversation key leads to, and the X mentions poller's checkpoint. */
export class SocialThreading1763903100000 implements MigrationInterface {
  name = 'SocialThreading1763903100000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "thread_keys" ("inbox_id" uuid NOT NULL, "key" text NOT NULL, "thread_id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2e51ef532ef014eb0b7ec4e36ef" PRIMARY KEY ("inbox_id", "key"))`);
    await q.query(`CREATE INDEX "IDX_91004841cd2d8dc080bff3f2fb" ON "thread_keys" ("thread_id")`);
    await q.query(`ALTER TABLE "thread_keys" ADD CONSTRAINT "FK_c55262d4ca59b53dbce71e9b720" FOREIGN KEY ("inbox_id") REFERENCES "inboxes"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "thread_keys" ADD CONSTRAINT "FK_91004841cd2d8dc080bff3f2fbd" FOREIGN KEY ("thread_id") REFERENCES "threads"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`CREATE TABLE "x_poll_checkpoints" ("inbox_id" uuid NOT NULL, "since_id" text, "paused_until" TIMESTAMP(3) WITH TIME ZONE, "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5a387c1ada642657612adf4e9e5" PRIMARY KEY ("inbox_id"))`);
    await q.query(`ALTER TABLE "x_poll_checkpoints" ADD CONSTRAINT "FK_5a387c1ada642657612adf4e9e5" FOREIGN KEY ("inbox_id") REFERENCES "inboxes"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "x_poll_checkpoints" DROP CONSTRAINT "FK_5a387c1ada642657612adf4e9e5"`);
    await q.query(`DROP TABLE "x_poll_checkpoints"`);
    await q.query(`ALTER TABLE "thread_keys" DROP CONSTRAINT "FK_91004841cd2d8dc080bff3f2fbd"`);
    await q.query(`ALTER TABLE "thread_keys" DROP CONSTRAINT "FK_c55262d4ca59b53dbce71e9b720"`);
    await q.query(`DROP INDEX "public"."IDX_91004841cd2d8dc080bff3f2fb"`);
    await q.query(`DROP TABLE "thread_keys"`);
  }
}
