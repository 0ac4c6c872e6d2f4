import { Body, Controller, Get, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { CreateAgentRequest, UpdateAvailabilityRequest } from '@desk/contracts';
import { AgentsService, toAgentDto, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';

class CreateAgentDto extends createZodDto(CreateAgentRequest) {}
class AvailabilityDto extends createZodDto(UpdateAvailabilityRequest) {}

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

  @MinRole('agent')
  @Get('teams')
  teams() {
    return this.agents.listTeams();
  }
}
