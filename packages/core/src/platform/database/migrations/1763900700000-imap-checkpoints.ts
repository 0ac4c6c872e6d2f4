import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Where the IMAP poller of each inbox stands in each mailbox (UIDVALIDITY and last imported UID). */
export class ImapCheckpoints1763900700000 implements MigrationInterface {
  name = 'ImapCheckpoints1763900700000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "imap_checkpoints" ("inbox_id" uuid NOT NULL, "mailbox" text NOT NULL, "uid_validity" bigint NOT NULL, "last_uid" bigint NOT NULL DEFAULT '0', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b13de80baec1b5d7492690bc647" PRIMARY KEY ("inbox_id", "mailbox"))`);
    await q.query(`ALTER TABLE "imap_checkpoints" ADD CONSTRAINT "FK_90291388b28ef88e221e77c444b" FOREIGN KEY ("inbox_id") REFERENCES "inboxes"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "imap_checkpoints" DROP CONSTRAINT "FK_90291388b28ef88e221e77c444b"`);
    await q.query(`DROP TABLE "imap_checkpoints"`);
  }
}
