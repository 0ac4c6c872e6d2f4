import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { ListThreadsQuery, PageQuery, UpdateThreadRequest } from '@desk/contracts';
import { AuditService, toAuditEntry, ThreadsService, AgentsService, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';
import { viewerOf } from '../auth/me';

class ListThreadsDto extends createZodDto(ListThreadsQuery) {}
class PageDto extends createZodDto(PageQuery) {}
class UpdateThreadDto extends createZodDto(UpdateThreadRequest) {}

@ApiTags('threads')
@MinRole('agent')
@Controller('api/threads')
export class ThreadsController {
  constructor(
    private readonly threads: ThreadsService,
    private readonly audit: AuditService,
    private readonly agents: AgentsService,
  ) {}

  @Get()
  list(@Query() q: ListThreadsDto, @CurrentSession() s: SessionPrincipal) {
    return this.threads.list(q, viewerOf(s));
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.threads.get(id);
  }

  @Get(':id/messages')
  messages(@Param('id', ParseUUIDPipe) id: string, @Query() q: PageDto) {
    return this.threads.messages(id, q.cursor, q.limit);
  }

  @Get(':id/audit')
  async auditTrail(@Param('id', ParseUUIDPipe) id: string) {
    await this.threads.get(id);
    const [events, agents] = await Promise.all([this.audit.forThread(id), this.agents.list()]);
    const names = new Map(agents.map((a) => [a.id, a.name]));
    return events.map((e) => toAuditEntry(e, names));
  }

  @Patch(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateThreadDto, @CurrentSession() s: SessionPrincipal) {
    return this.threads.update(id, body, viewerOf(s));
  }
}
