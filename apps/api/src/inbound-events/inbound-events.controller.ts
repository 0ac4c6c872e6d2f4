import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { ListInboundEventsQuery } from '@desk/contracts';
import { InboundEventsService, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';

class ListInboundEventsDto extends createZodDto(ListInboundEventsQuery) {}

/** The quarantine: admins list, inspect and retry raw inbound events. */
@ApiTags('inbound-events')
@MinRole('admin')
@Controller('api/inbound-events')
export class InboundEventsController {
  constructor(private readonly events: InboundEventsService) {}

  @Get()
  list(@Query() q: ListInboundEventsDto) {
    return this.events.list(q);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.events.get(id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  retry(@Param('id', ParseUUIDPipe) id: string, @CurrentSession() s: SessionPrincipal) {
    return this.events.retry(id, { kind: 'agent', agentId: s.agent.id });
  }
}
