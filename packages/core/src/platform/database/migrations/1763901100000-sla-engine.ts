import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SLA engine: policy targets become fractional business minutes (30 s = 0.5), and a clock records
 * which agent paused it (an exception only an agent lifts) and how much agents extended it.
 */
export class SlaEngine1763901100000 implements MigrationInterface {
  name = 'SlaEngine1763901100000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sla_policies" ALTER COLUMN "first_response_minutes" TYPE double precision`);
    await q.query(`ALTER TABLE "sla_policies" ALTER COLUMN "next_response_minutes" TYPE double precision`);
    await q.query(`ALTER TABLE "sla_policies" ALTER COLUMN "resolution_minutes" TYPE double precision`);
    await q.query(`ALTER TABLE "sla_clocks" ADD "paused_by_agent_id" uuid`);
    await q.query(`ALTER TABLE "sla_clocks" ADD "extended_minutes" double precision NOT NULL DEFAULT '0'`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sla_clocks" DROP COLUMN "extended_minutes"`);
    await q.query(`ALTER TABLE "sla_clocks" DROP COLUMN "paused_by_agent_id"`);
    // fractional targets round up: a target never gets shorter by the revert
    await q.query(`ALTER TABLE "sla_policies" ALTER COLUMN "resolution_minutes" TYPE integer USING ceil("resolution_minutes")`);
    await q.query(`ALTER TABLE "sla_policies" ALTER COLUMN "next_response_minutes" TYPE integer USING ceil("next_response_minutes")`);
    await q.query(`ALTER TABLE "sla_policies" ALTER COLUMN "first_response_minutes" TYPE integer USING ceil("first_response_minutes")`);
  }
}
