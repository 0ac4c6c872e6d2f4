import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { ReassignRequest, StalledQuery } from '@desk/contracts';
import { StalledService, SupervisorService, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';
import { viewerOf } from '../auth/me';

class ReassignDto extends createZodDto(ReassignRequest) {}
class StalledQueryDto extends createZodDto(StalledQuery) {}

/** Supervisors watch the queue: stalled threads, agents' load, and (bulk) reassignment with a reason. */
@ApiTags('supervisor')
@MinRole('supervisor')
@Controller('api/supervisor')
export class SupervisorController {
  constructor(
    private readonly supervisor: SupervisorService,
    private readonly stalled: StalledService,
  ) {}

  @Post('reassign')
  @HttpCode(200)
  @MinRole('supervisor')
  reassign(@Body() body: ReassignDto, @CurrentSession() s: SessionPrincipal) {
    return this.supervisor.reassign(body, viewerOf(s));
  }

  @Get('stalled')
  @MinRole('supervisor')
  stalledThreads(@Query() q: StalledQueryDto) {
    return this.stalled.list(q);
  }

  @Get('agents')
  @MinRole('supervisor')
  agents() {
    return this.supervisor.agentsLoad();
  }
}
