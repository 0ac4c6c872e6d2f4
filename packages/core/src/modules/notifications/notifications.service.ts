import { BadRequestException, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type {
  ListNotificationsQuery,
  MarkNotificationsReadRequest,
  MarkNotificationsReadResponse,
  Notification as NotificationDto,
  NotificationPage,
} from '@desk/contracts';
import { AuditService } from '../audit/audit.service';
import { decodeCursor, encodeCursor } from '../conversations/cursor';
import { RealtimePublisher, Rooms } from '../realtime/realtime.publisher';

const EXCERPT_CHARS = 200;

interface Row {
  id: string;
  agent_id: string;
  kind: 'mention';
  thread_id: string;
  message_id: string;
  number: number;
  subject: string | null;
  actor_id: string | null;
  actor_name: string | null;
  excerpt: string;
  created_at: Date;
  read_at: Date | null;
}

// everything the bell shows, in one read
const SELECT = `
  SELECT n.id, n.agent_id, n.kind, n.thread_id, n.message_id, t.number, t.subject,
         a.id AS actor_id, a.name AS actor_name, left(m.body_text, ${EXCERPT_CHARS}) AS excerpt, n.created_at, n.read_at
    FROM notifications n
    JOIN threads t ON t.id = n.thread_id
    JOIN messages m ON m.id = n.message_id
    LEFT JOIN agents a ON a.id = n.actor_agent_id`;

function toDto(r: Row): NotificationDto {
  return {
    id: r.id,
    kind: r.kind,
    threadId: r.thread_id,
    messageId: r.message_id,
    thread: { number: Number(r.number), subject: r.subject },
    actor: r.actor_id && r.actor_name !== null ? { id: r.actor_id, name: r.actor_name } : null,
    excerpt: r.excerpt,
    createdAt: r.created_at.toISOString(),
    readAt: r.read_at ? r.read_at.toISOString() : null,
  };
}

/**
 * Agents' notifications. They are written inside the transaction of what caused them (a note's),
 * and announced to the agent's room by the caller after that commits.
 */
@Injectable()
export class NotificationsService {
  private readonly log = new Logger(NotificationsService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly realtime: RealtimePublisher,
  ) {}

  /** One `mention` per agent (the author excluded by the caller), inside the note's transaction. */
  async createMentions(m: EntityManager, input: { threadId: string; messageId: string; actorAgentId: string; agentIds: string[] }): Promise<string[]> {
    const agentIds = [...new Set(input.agentIds)];
    if (agentIds.length === 0) return [];
    const rows: Array<{ id: string }> = await m.query(
      `INSERT INTO notifications (agent_id, kind, thread_id, message_id, actor_agent_id)
       SELECT unnest($1::uuid[]), 'mention', $2, $3, $4
       ON CONFLICT (message_id, agent_id) DO NOTHING RETURNING id`,
      [agentIds, input.threadId, input.messageId, input.actorAgentId],
    );
    return rows.map((r) => r.id);
  }

  /** After the commit: `notification.created` to each notified agent's own room. Never throws. */
  async announce(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      const rows: Row[] = await this.ds.query(`${SELECT} WHERE n.id = ANY($1::uuid[])`, [ids]);
      for (const r of rows) this.realtime.publish([Rooms.agent(r.agent_id)], 'notification.created', { notification: toDto(r) });
    } catch (e) {
      this.log.warn(`announcing notifications failed: ${(e as Error).message}`);
    }
  }

  /** The agent's notifications, newest first, keyset-paginated, with the agent's unread count. */
  async list(agentId: string, q: ListNotificationsQuery): Promise<NotificationPage> {
    const params: unknown[] = [agentId, q.limit + 1];
    let after = '';
    if (q.cursor) {
      const [createdAt, id] = decodeCursor(q.cursor, 2);
      if (typeof createdAt !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(createdAt)) || !/^[0-9a-f-]{36}$/i.test(id)) {
        throw new BadRequestException('cursor: malformed');
      }
      params.push(createdAt, id);
      after = `AND (n.created_at, n.id) < ($3::timestamptz, $4::uuid)`;
    }
    const rows: Row[] = await this.ds.query(`${SELECT} WHERE n.agent_id = $1 ${after} ORDER BY n.created_at DESC, n.id DESC LIMIT $2`, params);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toDto),
      nextCursor: rows.length > q.limit && last ? encodeCursor([last.created_at.toISOString(), last.id]) : null,
      unreadCount: await this.unreadCount(agentId),
    };
  }

  /** Marks the agent's own notifications read (others' ids are ignored); audited when something changed. */
  async markRead(agentId: string, req: MarkNotificationsReadRequest): Promise<MarkNotificationsReadResponse> {
    const updated = await this.ds.transaction(async (m) => {
      const res: [unknown[], number] = req.all
        ? await m.query(`UPDATE notifications SET read_at = now() WHERE agent_id = $1 AND read_at IS NULL`, [agentId])
        : await m.query(`UPDATE notifications SET read_at = now() WHERE agent_id = $1 AND read_at IS NULL AND id = ANY($2::uuid[])`, [agentId, req.ids ?? []]);
      const count = res[1];
      if (count > 0) {
        await this.audit.record({ actor: { kind: 'agent', agentId }, action: 'notifications.read', data: req.all ? { all: true, count } : { ids: req.ids, count } }, m);
      }
      return count;
    });
    return { updated, unreadCount: await this.unreadCount(agentId) };
  }

  private async unreadCount(agentId: string): Promise<number> {
    const [row]: Array<{ n: number }> = await this.ds.query(`SELECT count(*)::int AS n FROM notifications WHERE agent_id = $1 AND read_at IS NULL`, [agentId]);
    return row?.n ?? 0;
  }
}
