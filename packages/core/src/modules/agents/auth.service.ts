import { createHash, randomBytes } from 'node:crypto';
import { HttpException, HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import type { Redis } from 'ioredis';
import { APP_CONFIG } from '../../platform/config/config.module';
import type { AppConfig } from '../../platform/config/config';
import { REDIS, redisKey } from '../../platform/redis/redis.module';
import { Agent } from './agent.entity';
import { Team } from './team.entity';
import { AgentSession } from './agent-session.entity';
import { AgentsService } from './agents.service';
import { dummyHash, verifyPassword } from './password';
import { AuditService } from '../audit/audit.service';

export const SESSION_COOKIE = 'desk_session';

export interface SessionPrincipal {
  sessionId: string;
  agent: Agent;
}

interface SessionRow {
  session_id: string;
  expires_at: Date;
  id: string;
  email: string;
  name: string;
  role: Agent['role'];
  password_hash: string;
  availability: Agent['availability'];
  capacity: number;
  is_active: boolean;
  last_seen_at: Date | null;
  created_at: Date;
  updated_at: Date;
  teams: Array<{ id: string; name: string; description: string | null; createdAt: string }>;
}

function agentOfRow(r: SessionRow): Agent {
  return Object.assign(new Agent(), {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    passwordHash: r.password_hash,
    availability: r.availability,
    capacity: r.capacity,
    isActive: r.is_active,
    lastSeenAt: r.last_seen_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    teams: r.teams.map((t) => Object.assign(new Team(), { id: t.id, name: t.name, description: t.description, createdAt: new Date(t.createdAt) })),
  });
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Login, logout and session lookup. The cookie carries 32 random bytes; the database keeps only
 * their hash, so a leaked database cannot be replayed as sessions. Failed logins are counted in
 * Redis per email and per IP, and a lockout answers 429 with Retry-After.
 */
@Injectable()
export class AuthService {
  constructor(
    private readonly ds: DataSource,
    private readonly agents: AgentsService,
    private readonly audit: AuditService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(email: string, password: string, ctx: { ip: string | null; userAgent: string | null }) {
    const keys = [redisKey(this.config, 'login-fail', 'email', email.trim().toLowerCase()), redisKey(this.config, 'login-fail', 'ip', ctx.ip ?? '-')];
    await this.refuseWhenLocked(keys);

    const agent = await this.agents.findByEmail(email);
    const ok = agent ? await verifyPassword(agent.passwordHash, password) : (await verifyPassword(await dummyHash(), password), false);
    if (!agent || !ok || !agent.isActive) {
      await this.countFailure(keys);
      throw new UnauthorizedException('email or password is wrong');
    }
    await this.redis.del(keys[0]!);

    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.config.SESSION_TTL_HOURS * 3600_000);
    const session = await this.ds.getRepository(AgentSession).save({
      tokenHash: sha256(token),
      agentId: agent.id,
      expiresAt,
      ip: ctx.ip,
      userAgent: ctx.userAgent?.slice(0, 500) ?? null,
    });
    await this.audit.record({ actor: { kind: 'agent', agentId: agent.id }, action: 'agent.login', data: { sessionId: session.id, ip: ctx.ip } });
    return { token, expiresAt, agent: await this.agents.get(agent.id) };
  }

  async logout(principal: SessionPrincipal): Promise<void> {
    await this.ds.getRepository(AgentSession).delete({ id: principal.sessionId });
    await this.audit.record({ actor: { kind: 'agent', agentId: principal.agent.id }, action: 'agent.logout', data: { sessionId: principal.sessionId } });
  }

  /** Resolves a cookie token to its agent, or null when unknown, expired or the agent is deactivated. */
  async authenticate(token: string | undefined): Promise<SessionPrincipal | null> {
    if (!token || token.length > 200) return null;
    // every authenticated request and socket handshake runs this: one plain query, not an entity
    // load with two joins to hydrate (which cost more CPU than the rest of a small request)
    const [row]: SessionRow[] = await this.ds.query(
      `SELECT s.id AS session_id, s.expires_at, a.id, a.email, a.name, a.role, a.password_hash, a.availability, a.capacity,
              a.is_active, a.last_seen_at, a.created_at, a.updated_at,
              COALESCE((SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'description', t.description, 'createdAt', t.created_at) ORDER BY t.name)
                          FROM team_members tm JOIN teams t ON t.id = tm.team_id WHERE tm.agent_id = a.id), '[]') AS teams
         FROM agent_sessions s JOIN agents a ON a.id = s.agent_id
        WHERE s.token_hash = $1`,
      [sha256(token)],
    );
    if (!row || row.expires_at.getTime() <= Date.now() || !row.is_active) return null;
    return { sessionId: row.session_id, agent: agentOfRow(row) };
  }

  async deleteExpiredSessions(): Promise<number> {
    const res = await this.ds.getRepository(AgentSession).delete({ expiresAt: LessThan(new Date()) });
    return res.affected ?? 0;
  }

  private async refuseWhenLocked(keys: string[]): Promise<void> {
    const counts = await this.redis.mget(...keys);
    const max = this.config.LOGIN_MAX_ATTEMPTS;
    // the per-IP budget is wider: an office behind one address has many agents
    const locked = Number(counts[0] ?? 0) >= max || Number(counts[1] ?? 0) >= max * 5;
    if (!locked) return;
    const ttls = await Promise.all(keys.map((k) => this.redis.ttl(k)));
    const retryAfter = Math.max(1, ...ttls);
    throw new HttpException(
      { statusCode: 429, error: 'Too Many Requests', message: `too many failed logins; retry in ${retryAfter} s`, retryAfter },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }

  private async countFailure(keys: string[]): Promise<void> {
    const tx = this.redis.multi();
    for (const k of keys) tx.incr(k).expire(k, this.config.LOGIN_WINDOW_SECONDS, 'NX');
    await tx.exec();
  }
}
