import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { CreateInboxRequest } from '@desk/contracts';
import { InboxesService, toInboxDto, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';

class CreateInboxDto extends createZodDto(CreateInboxRequest) {}

@ApiTags('inboxes')
@Controller('api/inboxes')
export class InboxesController {
  constructor(private readonly inboxes: InboxesService) {}

  @MinRole('agent')
  @Get()
  async list() {
    return (await this.inboxes.list()).map(toInboxDto);
  }

  @MinRole('admin')
  @Post()
  async create(@Body() body: CreateInboxDto, @CurrentSession() s: SessionPrincipal) {
    return toInboxDto(await this.inboxes.create(body, { kind: 'agent', agentId: s.agent.id }));
  }
}
