import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SlaModel1763900200000 implements MigrationInterface {
  name = 'SlaModel1763900200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "business_calendars" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "time_zone" text NOT NULL, "weekly_hours" jsonb NOT NULL, "holidays" jsonb NOT NULL DEFAULT '[]', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_7cfb4388d070268e92a75dc72bc" UNIQUE ("name"), CONSTRAINT "PK_5824d9553787220e55e159fa16b" PRIMARY KEY ("id"))`);
    await q.query(`CREATE TABLE "sla_policies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "position" integer NOT NULL DEFAULT '0', "conditions" jsonb NOT NULL DEFAULT '{}', "first_response_minutes" integer NOT NULL, "next_response_minutes" integer NOT NULL, "resolution_minutes" integer, "warning_percent" integer NOT NULL DEFAULT '75', "pause_when_pending" boolean NOT NULL DEFAULT true, "pause_when_snoozed" boolean NOT NULL DEFAULT true, "stall_minutes" integer NOT NULL DEFAULT '240', "auto_reassign_after_minutes" integer, "escalation" jsonb NOT NULL DEFAULT '[]', "calendar_id" uuid, "is_active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_41b6803cef982534243a67b6302" PRIMARY KEY ("id"))`);
    await q.query(`CREATE TYPE "public"."sla_metric" AS ENUM('first_response', 'next_response', 'resolution')`);
    await q.query(`CREATE TYPE "public"."sla_clock_status" AS ENUM('running', 'paused', 'met', 'breached', 'cancelled')`);
    await q.query(`CREATE TABLE "sla_clocks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "thread_id" uuid NOT NULL, "policy_id" uuid, "metric" "public"."sla_metric" NOT NULL, "status" "public"."sla_clock_status" NOT NULL DEFAULT 'running', "started_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "due_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "warn_at" TIMESTAMP(3) WITH TIME ZONE, "warned_at" TIMESTAMP(3) WITH TIME ZONE, "breached_at" TIMESTAMP(3) WITH TIME ZONE, "met_at" TIMESTAMP(3) WITH TIME ZONE, "paused_at" TIMESTAMP(3) WITH TIME ZONE, "remaining_minutes" double precision, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2dce3f4b73eb9cb02e3d81de5c9" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_b3617aa207f44e0053d7450c5d" ON "sla_clocks"  ("thread_id") `);
    await q.query(`CREATE UNIQUE INDEX "sla_clocks_one_active_key" ON "sla_clocks"  ("thread_id", "metric") WHERE status IN ('running', 'paused')`);
    await q.query(`CREATE INDEX "sla_clocks_status_due_idx" ON "sla_clocks"  ("status", "due_at") `);
    await q.query(`CREATE TABLE "sla_breaches" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "clock_id" uuid NOT NULL, "thread_id" uuid NOT NULL, "due_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "breached_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5c89ce8bcd963fe0bae8079be75" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "IDX_0c616d1ffa876d69313d8de5c8" ON "sla_breaches"  ("clock_id") `);
    await q.query(`CREATE INDEX "IDX_f2dbd52e09d89548ec3106f64e" ON "sla_breaches"  ("thread_id") `);
    await q.query(`ALTER TABLE "sla_policies" ADD CONSTRAINT "FK_19ba046d6f085de85f97be9b2ce" FOREIGN KEY ("calendar_id") REFERENCES "business_calendars"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "sla_clocks" ADD CONSTRAINT "FK_b3617aa207f44e0053d7450c5dd" FOREIGN KEY ("thread_id") REFERENCES "threads"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "sla_clocks" ADD CONSTRAINT "FK_ac2102f677a9793b25fab98f095" FOREIGN KEY ("policy_id") REFERENCES "sla_policies"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "sla_breaches" ADD CONSTRAINT "FK_0c616d1ffa876d69313d8de5c8a" FOREIGN KEY ("clock_id") REFERENCES "sla_clocks"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sla_breaches" DROP CONSTRAINT "FK_0c616d1ffa876d69313d8de5c8a"`);
    await q.query(`ALTER TABLE "sla_clocks" DROP CONSTRAINT "FK_ac2102f677a9793b25fab98f095"`);
    await q.query(`ALTER TABLE "sla_clocks" DROP CONSTRAINT "FK_b3617aa207f44e0053d7450c5dd"`);
    await q.query(`ALTER TABLE "sla_policies" DROP CONSTRAINT "FK_19ba046d6f085de85f97be9b2ce"`);
    await q.query(`DROP INDEX "public"."IDX_f2dbd52e09d89548ec3106f64e"`);
    await q.query(`DROP INDEX "public"."IDX_0c616d1ffa876d69313d8de5c8"`);
    await q.query(`DROP TABLE "sla_breaches"`);
    await q.query(`DROP INDEX "public"."sla_clocks_status_due_idx"`);
    await q.query(`DROP INDEX "public"."sla_clocks_one_active_key"`);
    await q.query(`DROP INDEX "public"."IDX_b3617aa207f44e0053d7450c5d"`);
    await q.query(`DROP TABLE "sla_clocks"`);
    await q.query(`DROP TYPE "public"."sla_clock_status"`);
    await q.query(`DROP TYPE "public"."sla_metric"`);
    await q.query(`DROP TABLE "sla_policies"`);
    await q.query(`DROP TABLE "business_calendars"`);
  }
}
