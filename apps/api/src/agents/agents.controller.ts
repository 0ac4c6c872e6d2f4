import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { CreateAgentRequest, CreateTeamRequest, UpdateAgentRequest, UpdateAvailabilityRequest } from '@desk/contracts';
import { AgentsService, toAgentDto, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';

class CreateAgentDto extends createZodDto(CreateAgentRequest) {}
class AvailabilityDto extends createZodDto(UpdateAvailabilityRequest) {}
class UpdateAgentDto extends createZodDto(UpdateAgentRequest) {}
class CreateTeamDto extends createZodDto(CreateTeamRequest) {}

@ApiTags('agents')
@Controller('api')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @MinRole('agent')
  @Get('agents')
  async list() {
    return (await this.agents.list()).map(toAgentDto);
  }

  @MinRole('admin')
  @Post('agents')
  async create(@Body() body: CreateAgentDto, @CurrentSession() s: SessionPrincipal) {
    const agent = await this.agents.create(body, { kind: 'agent', agentId: s.agent.id });
    return toAgentDto(await this.agents.get(agent.id));
  }

  @MinRole('agent')
  @Patch('agents/me/availability')
  async availability(@Body() body: AvailabilityDto, @CurrentSession() s: SessionPrincipal) {
    return toAgentDto(await this.agents.setAvailability(s.agent.id, body.availability));
  }

  /** Declared after `agents/me/availability`, so "me" never reaches the uuid pipe. */
  @MinRole('admin')
  @Patch('agents/:id')
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateAgentDto, @CurrentSession() s: SessionPrincipal) {
    return toAgentDto(await this.agents.update(id, body, { kind: 'agent', agentId: s.agent.id }));
  }

  @MinRole('agent')
  @Get('teams')
  teams() {
    return this.agents.listTeams();
  }

  @MinRole('admin')
  @Post('teams')
  createTeam(@Body() body: CreateTeamDto, @CurrentSession() s: SessionPrincipal) {
    return this.agents.createTeam(body, { kind: 'agent', agentId: s.agent.id });
  }
}
