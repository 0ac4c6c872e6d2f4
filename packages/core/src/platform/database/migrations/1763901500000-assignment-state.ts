import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Automatic assignment state: the round-robin position of each team and when each agent last got
 * a thread automatically (least-loaded breaks ties by it).
 */
export class AssignmentState1763901500000 implements MigrationInterface {
  name = 'AssignmentState1763901500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "assignment_cursors" ("team_id" uuid NOT NULL, "last_agent_id" uuid, "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1ba119c62ab5d5b1edf0aaa6ebd" PRIMARY KEY ("team_id"))`,
    );
    await q.query(
      `CREATE TABLE "agent_assignment_stats" ("agent_id" uuid NOT NULL, "last_assigned_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, CONSTRAINT "PK_c4b3f9391718bc3637913acee75" PRIMARY KEY ("agent_id"))`,
    );
    await q.query(
      `ALTER TABLE "assignment_cursors" ADD CONSTRAINT "FK_1ba119c62ab5d5b1edf0aaa6ebd" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "agent_assignment_stats" ADD CONSTRAINT "FK_c4b3f9391718bc3637913acee75" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "agent_assignment_stats" DROP CONSTRAINT "FK_c4b3f9391718bc3637913acee75"`);
    await q.query(`ALTER TABLE "assignment_cursors" DROP CONSTRAINT "FK_1ba119c62ab5d5b1edf0aaa6ebd"`);
    await q.query(`DROP TABLE "agent_assignment_stats"`);
    await q.query(`DROP TABLE "assignment_cursors"`);
  }
}
