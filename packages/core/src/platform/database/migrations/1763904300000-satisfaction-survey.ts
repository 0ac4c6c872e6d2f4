import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Satisfaction survey answers: one row per submit, the latest per thread is its answer. */
export class SatisfactionSurvey1763904300000 implements MigrationInterface {
  name = 'SatisfactionSurvey1763904300000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "satisfaction_responses" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "thread_id" uuid NOT NULL, "score" smallint NOT NULL, "contact_me" boolean NOT NULL DEFAULT false, "comment" text, "reopened" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_016430a2ae6d74f94aca1e61e00" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_741019a06d4af95bc135d0d36c" ON "satisfaction_responses" ("thread_id", "created_at")`);
    await q.query(`ALTER TABLE "satisfaction_responses" ADD CONSTRAINT "FK_3ba664df9de492950faa637499d" FOREIGN KEY ("thread_id") REFERENCES "threads"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "satisfaction_responses" DROP CONSTRAINT "FK_3ba664df9de492950faa637499d"`);
    await q.query(`DROP INDEX "public"."IDX_741019a06d4af95bc135d0d36c"`);
    await q.query(`DROP TABLE "satisfaction_responses"`);
  }
}
