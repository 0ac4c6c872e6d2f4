import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { CreateMessageRequest } from '@desk/contracts';
import { OutboxService, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';
import { viewerOf } from '../auth/me';

class CreateMessageDto extends createZodDto(CreateMessageRequest) {}

/**
 * Agents' replies and internal notes. The reply is only written to the outbox here (message +
 * delivery in one transaction); the worker sends it. 409 when the thread got a message after the
 * version the agent saw (body lists them), unless `force`.
 */
@ApiTags('threads')
@MinRole('agent')
@Controller('api/threads')
export class MessagesController {
  constructor(private readonly outbox: OutboxService) {}

  @Post(':id/messages')
  @HttpCode(201)
  create(@Param('id', ParseUUIDPipe) id: string, @Body() body: CreateMessageDto, @CurrentSession() s: SessionPrincipal) {
    return this.outbox.post(id, body, viewerOf(s));
  }
}
