import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { CreateInboxRequest, UpdateInboxRequest, UpdateInboxSettingsRequest } from '@desk/contracts';
import { InboxesService, toInboxDto, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';

class CreateInboxDto extends createZodDto(CreateInboxRequest) {}
class UpdateInboxDto extends createZodDto(UpdateInboxRequest) {}
class UpdateInboxSettingsDto extends createZodDto(UpdateInboxSettingsRequest) {}

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

  @MinRole('admin')
  @Patch(':id')
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateInboxDto, @CurrentSession() s: SessionPrincipal) {
    return toInboxDto(await this.inboxes.update(id, body, { kind: 'agent', agentId: s.agent.id }));
  }

  /** Channel credentials and setup: admins only, secrets write-only. */
  @MinRole('admin')
  @Get(':id/settings')
  settings(@Param('id', ParseUUIDPipe) id: string) {
    return this.inboxes.settings(id);
  }

  @MinRole('admin')
  @Put(':id/settings')
  updateSettings(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateInboxSettingsDto, @CurrentSession() s: SessionPrincipal) {
    return this.inboxes.updateSettings(id, body, { kind: 'agent', agentId: s.agent.id });
  }
}
