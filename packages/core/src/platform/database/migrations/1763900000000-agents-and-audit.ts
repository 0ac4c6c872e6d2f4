import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AgentsAndAudit1763900000000 implements MigrationInterface {
  name = 'AgentsAndAudit1763900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "teams" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "description" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_48c0c32e6247a2de155baeaf980" UNIQUE ("name"), CONSTRAINT "PK_7e5523774a38b08a6236d322403" PRIMARY KEY ("id"))`);
    await q.query(`CREATE TYPE "public"."agent_role" AS ENUM('agent', 'supervisor', 'admin')`);
    await q.query(`CREATE TYPE "public"."agent_availability" AS ENUM('online', 'away', 'offline')`);
    await q.query(`CREATE TABLE "agents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "name" text NOT NULL, "role" "public"."agent_role" NOT NULL DEFAULT 'agent', "password_hash" text NOT NULL, "availability" "public"."agent_availability" NOT NULL DEFAULT 'offline', "capacity" integer NOT NULL DEFAULT '10', "is_active" boolean NOT NULL DEFAULT true, "last_seen_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9c653f28ae19c5884d5baf6a1d9" PRIMARY KEY ("id"))`);
    await q.query(`CREATE TABLE "agent_sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "token_hash" text NOT NULL, "agent_id" uuid NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "ip" text, "user_agent" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_56f9e856ca24a6064c903044605" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "IDX_f20068d6754db726e8ad6fa8d5" ON "agent_sessions"  ("token_hash") `);
    await q.query(`CREATE INDEX "IDX_e17460dd4ac97818d81ace3fef" ON "agent_sessions"  ("agent_id") `);
    await q.query(`CREATE TYPE "public"."actor_kind" AS ENUM('agent', 'system', 'contact')`);
    await q.query(`CREATE TABLE "audit_events" ("id" BIGSERIAL NOT NULL, "thread_id" uuid, "actor_kind" "public"."actor_kind" NOT NULL, "actor_agent_id" uuid, "action" text NOT NULL, "reason" text, "data" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "audit_events_actor_created_idx" ON "audit_events"  ("actor_agent_id", "created_at") `);
    await q.query(`CREATE INDEX "audit_events_thread_created_idx" ON "audit_events"  ("thread_id", "created_at") `);
    await q.query(`CREATE TABLE "team_members" ("agent_id" uuid NOT NULL, "team_id" uuid NOT NULL, CONSTRAINT "PK_7a277c7dc6cf898d9e8c1751b62" PRIMARY KEY ("agent_id", "team_id"))`);
    await q.query(`CREATE INDEX "IDX_afa34094cf8067ce8c42f325f6" ON "team_members"  ("agent_id") `);
    await q.query(`CREATE INDEX "IDX_fdad7d5768277e60c40e01cdce" ON "team_members"  ("team_id") `);
    await q.query(`ALTER TABLE "agent_sessions" ADD CONSTRAINT "FK_e17460dd4ac97818d81ace3fefc" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "team_members" ADD CONSTRAINT "FK_afa34094cf8067ce8c42f325f6c" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
    await q.query(`ALTER TABLE "team_members" ADD CONSTRAINT "FK_fdad7d5768277e60c40e01cdcea" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE`);
    await q.query(`CREATE UNIQUE INDEX "agents_email_lower_key" ON "agents" (lower("email"))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."agents_email_lower_key"`);
    await q.query(`ALTER TABLE "team_members" DROP CONSTRAINT "FK_fdad7d5768277e60c40e01cdcea"`);
    await q.query(`ALTER TABLE "team_members" DROP CONSTRAINT "FK_afa34094cf8067ce8c42f325f6c"`);
    await q.query(`ALTER TABLE "agent_sessions" DROP CONSTRAINT "FK_e17460dd4ac97818d81ace3fefc"`);
    await q.query(`DROP INDEX "public"."IDX_fdad7d5768277e60c40e01cdce"`);
    await q.query(`DROP INDEX "public"."IDX_afa34094cf8067ce8c42f325f6"`);
    await q.query(`DROP TABLE "team_members"`);
    await q.query(`DROP INDEX "public"."audit_events_thread_created_idx"`);
    await q.query(`DROP INDEX "public"."audit_events_actor_created_idx"`);
    await q.query(`DROP TABLE "audit_events"`);
    await q.query(`DROP TYPE "public"."actor_kind"`);
    await q.query(`DROP INDEX "public"."IDX_e17460dd4ac97818d81ace3fef"`);
    await q.query(`DROP INDEX "public"."IDX_f20068d6754db726e8ad6fa8d5"`);
    await q.query(`DROP TABLE "agent_sessions"`);
    await q.query(`DROP TABLE "agents"`);
    await q.query(`DROP TYPE "public"."agent_availability"`);
    await q.query(`DROP TYPE "public"."agent_role"`);
    await q.query(`DROP TABLE "teams"`);
  }
}
