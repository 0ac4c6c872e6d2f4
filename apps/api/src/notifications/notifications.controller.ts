import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { ListNotificationsQuery, MarkNotificationsReadRequest } from '@desk/contracts';
import { NotificationsService, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';

class ListNotificationsDto extends createZodDto(ListNotificationsQuery) {}
class MarkReadDto extends createZodDto(MarkNotificationsReadRequest) {}

/** The signed-in agent's own notifications; nobody reads or marks another agent's. */
@ApiTags('notifications')
@MinRole('agent')
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  list(@Query() q: ListNotificationsDto, @CurrentSession() s: SessionPrincipal) {
    return this.notifications.list(s.agent.id, q);
  }

  @Post('read')
  @HttpCode(200)
  read(@Body() body: MarkReadDto, @CurrentSession() s: SessionPrincipal) {
    return this.notifications.markRead(s.agent.id, body);
  }
}
