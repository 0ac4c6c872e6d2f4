import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { ExtendSlaClockRequest, PauseSlaClockRequest, SlaExceptionsQuery } from '@desk/contracts';
import { SlaService, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';

class ExtendDto extends createZodDto(ExtendSlaClockRequest) {}
class PauseDto extends createZodDto(PauseSlaClockRequest) {}
class ExceptionsQueryDto extends createZodDto(SlaExceptionsQuery) {}

/** SLA clocks of a thread and agents' exceptions (pause, extend: a reason is mandatory, every one audited). */
@ApiTags('sla')
@MinRole('agent')
@Controller('api')
export class SlaController {
  constructor(private readonly sla: SlaService) {}

  @Get('threads/:id/sla')
  clocks(@Param('id', ParseUUIDPipe) id: string) {
    return this.sla.clocksForThread(id);
  }

  @Post('sla/clocks/:id/extend')
  @HttpCode(200)
  extend(@Param('id', ParseUUIDPipe) id: string, @Body() body: ExtendDto, @CurrentSession() s: SessionPrincipal) {
    return this.sla.extendClock(id, body.minutes, body.reason, { id: s.agent.id });
  }

  @Post('sla/clocks/:id/pause')
  @HttpCode(200)
  pause(@Param('id', ParseUUIDPipe) id: string, @Body() body: PauseDto, @CurrentSession() s: SessionPrincipal) {
    return this.sla.pauseClock(id, body.reason, { id: s.agent.id });
  }

  @Post('sla/clocks/:id/resume')
  @HttpCode(200)
  resume(@Param('id', ParseUUIDPipe) id: string, @CurrentSession() s: SessionPrincipal) {
    return this.sla.resumeClock(id, { id: s.agent.id });
  }

  /** Supervisors review agents' pauses and extensions. */
  @Get('sla/exceptions')
  @MinRole('supervisor')
  exceptions(@Query() q: ExceptionsQueryDto) {
    return this.sla.listExceptions(q.from ? new Date(q.from) : undefined, q.to ? new Date(q.to) : undefined, q.limit);
  }
}
