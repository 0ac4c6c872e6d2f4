import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import type { Agent as AgentDto, AgentRole, Availability, CreateAgentRequest, CreateTeamRequest, Team as TeamDto, UpdateAgentRequest } from '@desk/contracts';
import { Agent } from './agent.entity';
import { Team } from './team.entity';
import { hashPassword } from './password';
import { AuditService, type Actor } from '../audit/audit.service';

export function toAgentDto(a: Agent): AgentDto {
  return {
    id: a.id,
    name: a.name,
    email: a.email,
    role: a.role,
    availability: a.availability,
    capacity: a.capacity,
    isActive: a.isActive,
    teamIds: (a.teams ?? []).map((t) => t.id),
    createdAt: a.createdAt.toISOString(),
  };
}

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class AgentsService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(input: CreateAgentRequest, actor: Actor): Promise<Agent> {
    const passwordHash = await hashPassword(input.password);
    return this.ds.transaction(async (m) => {
      const teams = input.teamIds.length ? await m.findBy(Team, { id: In(input.teamIds) }) : [];
      if (teams.length !== input.teamIds.length) throw new NotFoundException('teamIds: unknown team');
      const agent = m.create(Agent, {
        email: input.email.trim(),
        name: input.name,
        role: input.role,
        capacity: input.capacity,
        passwordHash,
        teams,
      });
      try {
        await m.save(agent);
      } catch (e) {
        if ((e as { code?: string }).code === UNIQUE_VIOLATION) throw new ConflictException('email: an agent with this email exists');
        throw e;
      }
      await this.audit.record({ actor, action: 'agent.created', data: { agentId: agent.id, role: agent.role } }, m);
      return agent;
    });
  }

  findByEmail(email: string): Promise<Agent | null> {
    return this.ds.getRepository(Agent).createQueryBuilder('a').where('lower(a.email) = lower(:email)', { email: email.trim() }).getOne();
  }

  async get(id: string): Promise<Agent> {
    const agent = await this.ds.getRepository(Agent).findOne({ where: { id }, relations: { teams: true } });
    if (!agent) throw new NotFoundException('agent not found');
    return agent;
  }

  list(): Promise<Agent[]> {
    return this.ds.getRepository(Agent).find({ relations: { teams: true }, order: { name: 'ASC' } });
  }

  async setAvailability(id: string, availability: Availability): Promise<Agent> {
    await this.ds.getRepository(Agent).update({ id }, { availability, lastSeenAt: new Date() });
    return this.get(id);
  }

  async setRole(id: string, role: AgentRole, actor: Actor): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.update(Agent, { id }, { role });
      await this.audit.record({ actor, action: 'agent.role_changed', data: { agentId: id, role } }, m);
    });
  }

  /**
   * An admin's change to capacity, role or team membership, audited with the before and after of
   * what changed. Capacity is read by automatic assignment on its next pick; nothing is reassigned.
   */
  async update(id: string, input: UpdateAgentRequest, actor: Actor): Promise<Agent> {
    await this.ds.transaction(async (m) => {
      const agent = await m.findOne(Agent, { where: { id }, relations: { teams: true }, lock: { mode: 'pessimistic_write', tables: ['agents'] } });
      if (!agent) throw new NotFoundException('agent not found');
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (input.capacity !== undefined && input.capacity !== agent.capacity) {
        changes.capacity = { from: agent.capacity, to: input.capacity };
        agent.capacity = input.capacity;
      }
      if (input.role !== undefined && input.role !== agent.role) {
        changes.role = { from: agent.role, to: input.role };
        agent.role = input.role;
      }
      if (input.teamIds !== undefined) {
        const wanted = [...new Set(input.teamIds)];
        const teams = wanted.length ? await m.findBy(Team, { id: In(wanted) }) : [];
        if (teams.length !== wanted.length) throw new NotFoundException('teamIds: unknown team');
        const before = agent.teams.map((t) => t.id).sort();
        const after = teams.map((t) => t.id).sort();
        if (before.join() !== after.join()) changes.teamIds = { from: before, to: after };
        agent.teams = teams;
      }
      if (Object.keys(changes).length === 0) return;
      await m.save(agent);
      await this.audit.record({ actor, action: 'agent.updated', data: { agentId: id, changes } }, m);
    });
    return this.get(id);
  }

  async createTeam(input: CreateTeamRequest, actor: Actor): Promise<TeamDto> {
    return this.ds.transaction(async (m) => {
      let team: Team;
      try {
        team = await m.save(m.create(Team, { name: input.name }));
      } catch (e) {
        if ((e as { code?: string }).code === UNIQUE_VIOLATION) throw new ConflictException('name: a team with this name exists');
        throw e;
      }
      await this.audit.record({ actor, action: 'team.created', data: { teamId: team.id, name: team.name } }, m);
      return { id: team.id, name: team.name, memberIds: [] };
    });
  }

  async listTeams(): Promise<TeamDto[]> {
    const teams = await this.ds.getRepository(Team).find({ relations: { members: true }, order: { name: 'ASC' } });
    return teams.map((t) => ({ id: t.id, name: t.name, memberIds: t.members.map((a) => a.id) }));
  }
}
