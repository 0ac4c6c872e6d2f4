import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import type {
  CannedReply as CannedReplyDto,
  CreateCannedReplyRequest,
  ListCannedRepliesQuery,
  UpdateCannedReplyRequest,
} from '@desk/contracts';
import { Team } from '../agents/team.entity';
import { AuditService } from '../audit/audit.service';
import type { Viewer } from '../conversations/threads.service';
import { CannedReply } from './canned-reply.entity';

/** The request after zod defaults and transforms (the contracts export the input type). */
type CreateInput = Omit<CreateCannedReplyRequest, 'scope' | 'shortcut'> & { scope: CannedReply['scope']; shortcut?: string | null };
type UpdateInput = Omit<UpdateCannedReplyRequest, 'shortcut'> & { shortcut?: string | null };

const LIST_LIMIT = 500;

export function toCannedReplyDto(r: CannedReply): CannedReplyDto {
  return {
    id: r.id,
    title: r.title,
    body: r.body,
    shortcut: r.shortcut,
    scope: r.scope,
    ownerAgentId: r.ownerAgentId,
    teamId: r.teamId,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const isManager = (v: Viewer) => v.role === 'supervisor' || v.role === 'admin';

/**
 * Who may see and change which canned reply. Personal replies exist only for their owner; team
 * replies are read by the team's members and managed, like global ones, by supervisors and
 * admins, who also see every team's replies so they can manage them.
 */
@Injectable()
export class CannedRepliesService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(viewer: Viewer, q: ListCannedRepliesQuery = {}): Promise<CannedReplyDto[]> {
    const teams = isManager(viewer) ? 'TRUE' : viewer.teamIds.length ? 'c.team_id IN (:...teams)' : 'FALSE';
    const qb = this.ds
      .getRepository(CannedReply)
      .createQueryBuilder('c')
      .where(`(c.scope = 'global' OR (c.scope = 'personal' AND c.owner_agent_id = :me) OR (c.scope = 'team' AND ${teams}))`, {
        me: viewer.id,
        teams: viewer.teamIds,
      });
    if (q.q) {
      const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(`(c.title ILIKE :like OR c.body ILIKE :like OR c.shortcut ILIKE :like)`, { like });
    }
    const rows = await qb.orderBy('lower(c.title)', 'ASC').addOrderBy('c.id', 'ASC').limit(LIST_LIMIT).getMany();
    return rows.map(toCannedReplyDto);
  }

  async create(req: CreateInput, viewer: Viewer): Promise<CannedReplyDto> {
    if (req.scope !== 'personal' && !isManager(viewer)) {
      throw new ForbiddenException(`scope: only supervisors and admins add ${req.scope} replies`);
    }
    const saved = await this.write(async (m) => {
      if (req.scope === 'team' && !(await m.existsBy(Team, { id: req.teamId }))) {
        throw new BadRequestException({ message: 'teamId: no such team', fields: [{ path: 'teamId', message: 'no such team' }] });
      }
      const row = await m.save(CannedReply, {
        title: req.title,
        body: req.body,
        shortcut: req.shortcut ?? null,
        scope: req.scope,
        ownerAgentId: req.scope === 'personal' ? viewer.id : null,
        teamId: req.scope === 'team' ? (req.teamId ?? null) : null,
      });
      await this.record(m, viewer, 'canned_reply.created', row);
      return row;
    });
    return toCannedReplyDto(saved);
  }

  async update(id: string, req: UpdateInput, viewer: Viewer): Promise<CannedReplyDto> {
    const saved = await this.write(async (m) => {
      const row = await this.editable(m, id, viewer);
      if (req.title !== undefined) row.title = req.title;
      if (req.body !== undefined) row.body = req.body;
      if (req.shortcut !== undefined) row.shortcut = req.shortcut;
      const out = await m.save(CannedReply, row);
      await this.record(m, viewer, 'canned_reply.updated', out, { changed: Object.keys(req) });
      return out;
    });
    return toCannedReplyDto(saved);
  }

  async remove(id: string, viewer: Viewer): Promise<void> {
    await this.write(async (m) => {
      const row = await this.editable(m, id, viewer);
      await m.delete(CannedReply, { id: row.id });
      await this.record(m, viewer, 'canned_reply.deleted', row);
    });
  }

  /** 404 for what the agent cannot see (another agent's personal reply), 403 for what it may only read. */
  private async editable(m: EntityManager, id: string, viewer: Viewer): Promise<CannedReply> {
    const row = await m.findOne(CannedReply, { where: { id }, lock: { mode: 'pessimistic_write' } });
    const visible =
      row &&
      (row.scope === 'global' ||
        (row.scope === 'personal' && row.ownerAgentId === viewer.id) ||
        (row.scope === 'team' && (isManager(viewer) || (row.teamId !== null && viewer.teamIds.includes(row.teamId)))));
    if (!row || !visible) throw new NotFoundException('canned reply not found');
    if (row.scope !== 'personal' && !isManager(viewer)) {
      throw new ForbiddenException(`only supervisors and admins change ${row.scope} replies`);
    }
    return row;
  }

  /** One transaction; a shortcut already taken answers 409 naming `shortcut`. */
  private async write<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.ds.transaction(fn);
    } catch (e) {
      if (e instanceof QueryFailedError && (e.driverError as { code?: string } | undefined)?.code === '23505') {
        throw new ConflictException({ message: 'shortcut: already used by another canned reply', fields: [{ path: 'shortcut', message: 'already used' }] });
      }
      throw e;
    }
  }

  private record(m: EntityManager, viewer: Viewer, action: string, row: CannedReply, extra: Record<string, unknown> = {}) {
    return this.audit.record(
      {
        actor: { kind: 'agent', agentId: viewer.id },
        action,
        data: { cannedReplyId: row.id, title: row.title, scope: row.scope, teamId: row.teamId, shortcut: row.shortcut, ...extra },
      },
      m,
    );
  }
}
