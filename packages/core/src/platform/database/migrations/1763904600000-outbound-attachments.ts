import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agents' uploads for replies and notes: an attachment row may exist before its message (message_id
 * NULL until the reply claims it) and records who uploaded it, so only that agent can claim it.
 */
export class OutboundAttachments1763904600000 implements MigrationInterface {
  name = 'OutboundAttachments1763904600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "attachments" ADD "uploaded_by_agent_id" uuid`);
    await q.query(`ALTER TABLE "attachments" ALTER COLUMN "message_id" DROP NOT NULL`);
    await q.query(`CREATE INDEX "IDX_ebaed49fe64b3abdbdd07992d9" ON "attachments" ("uploaded_by_agent_id")`);
    await q.query(`ALTER TABLE "attachments" ADD CONSTRAINT "FK_ebaed49fe64b3abdbdd07992d9b" FOREIGN KEY ("uploaded_by_agent_id") REFERENCES "agents"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "attachments" DROP CONSTRAINT "FK_ebaed49fe64b3abdbdd07992d9b"`);
    await q.query(`DROP INDEX "public"."IDX_ebaed49fe64b3abdbdd07992d9"`);
    // uploads no message claimed cannot satisfy NOT NULL again; they are drafts' files, not history
    await q.query(`DELETE FROM "attachments" WHERE "message_id" IS NULL`);
    await q.query(`ALTER TABLE "attachments" ALTER COLUMN "message_id" SET NOT NULL`);
    await q.query(`ALTER TABLE "attachments" DROP COLUMN "uploaded_by_agent_id"`);
  }
}
