import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Message-IDs an inbound reply named but we had not seen (mail_awaited_ids): the mail they name,
 * arriving later, joins the reply's thread instead of opening a second one.
 */
export class MailAwaitedIds1763904800000 implements MigrationInterface {
  name = 'MailAwaitedIds1763904800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "mail_awaited_ids" ("message_id_header" text NOT NULL, "message_id" uuid NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_22d42269b84286f0b116e27e78d" PRIMARY KEY ("message_id_header", "message_id"))`,
    );
    await q.query(
      `ALTER TABLE "mail_awaited_ids" ADD CONSTRAINT "FK_9bacc1e40423f2d28484b5a113c" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "mail_awaited_ids" DROP CONSTRAINT "FK_9bacc1e40423f2d28484b5a113c"`);
    await q.query(`DROP TABLE "mail_awaited_ids"`);
  }
}
