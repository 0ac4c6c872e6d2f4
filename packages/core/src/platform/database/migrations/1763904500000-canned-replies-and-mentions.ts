import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Canned replies (personal, team or global saved texts; a shortcut is unique over all of them) and
 * agents' notifications (an @mention in a note), read newest-unread-first per agent.
 */
export class CannedRepliesAndMentions1763904500000 implements MigrationInterface {
  name = 'CannedRepliesAndMentions1763904500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "public"."canned_reply_scope" AS ENUM('personal', 'team', 'global')`);
    await q.query(`CREATE TABLE "canned_replies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "title" text NOT NULL, "body" text NOT NULL, "shortcut" text, "scope" "public"."canned_reply_scope" NOT NULL, "owner_agent_id" uuid, "team_id" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_bb46113b3f99d6933bab9ad1610" UNIQUE ("shortcut"), CONSTRAINT "PK_dd80b4af0ce27d517e404fbc7d6" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_d6aff1a7d64bdefb987a66a8b7" ON "canned_replies" ("scope", "owner_agent_id", "team_id")`);
    await q.query(`CREATE TYPE "public"."notification_kind" AS ENUM('mention')`);
    await q.query(`CREATE TABLE "notifications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "agent_id" uuid NOT NULL, "kind" "public"."notification_kind" NOT NULL, "thread_id" uuid NOT NULL, "message_id" uuid NOT NULL, "actor_agent_id" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "read_at" TIMESTAMP(3) WITH TIME ZONE, CONSTRAINT "UQ_79a1be547f9f8e9d5e1eaf926f6" UNIQUE ("message_id", "agent_id"), CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "IDX_5ff649056784ffa96d640fc52b" ON "notifications" ("agent_id", "read_at", "created_at")`);
    await q.query(`ALTER TABLE "canned_replies" ADD CONSTRAINT "FK_cbc47306370cd29173ea74dfbb8" FOREIGN KEY ("owner_agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "canned_replies" ADD CONSTRAINT "FK_220b72e1d5b44b867124807139d" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "notifications" ADD CONSTRAINT "FK_92fe131cab9925e772d4e194e27" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "notifications" ADD CONSTRAINT "FK_62d82d3f01c9d9836d27fe48a67" FOREIGN KEY ("thread_id") REFERENCES "threads"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "notifications" ADD CONSTRAINT "FK_14569f8a49ebb2ed92e9f8ba01c" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "notifications" ADD CONSTRAINT "FK_66c3663bb5e091378f1825fafe4" FOREIGN KEY ("actor_agent_id") REFERENCES "agents"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "notifications" DROP CONSTRAINT "FK_66c3663bb5e091378f1825fafe4"`);
    await q.query(`ALTER TABLE "notifications" DROP CONSTRAINT "FK_14569f8a49ebb2ed92e9f8ba01c"`);
    await q.query(`ALTER TABLE "notifications" DROP CONSTRAINT "FK_62d82d3f01c9d9836d27fe48a67"`);
    await q.query(`ALTER TABLE "notifications" DROP CONSTRAINT "FK_92fe131cab9925e772d4e194e27"`);
    await q.query(`ALTER TABLE "canned_replies" DROP CONSTRAINT "FK_220b72e1d5b44b867124807139d"`);
    await q.query(`ALTER TABLE "canned_replies" DROP CONSTRAINT "FK_cbc47306370cd29173ea74dfbb8"`);
    await q.query(`DROP INDEX "public"."IDX_5ff649056784ffa96d640fc52b"`);
    await q.query(`DROP TABLE "notifications"`);
    await q.query(`DROP TYPE "public"."notification_kind"`);
    await q.query(`DROP INDEX "public"."IDX_d6aff1a7d64bdefb987a66a8b7"`);
    await q.query(`DROP TABLE "canned_replies"`);
    await q.query(`DROP TYPE "public"."canned_reply_scope"`);
  }
}
