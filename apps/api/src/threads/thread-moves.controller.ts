import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { MergeThreadRequest, SplitThreadRequest } from '@desk/contracts';
import { ThreadMovesService, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';
import { viewerOf } from '../auth/me';

class SplitThreadDto extends createZodDto(SplitThreadRequest) {}
class MergeThreadDto extends createZodDto(MergeThreadRequest) {}

/** Agents correct the threading: split messages into a new thread, merge two threads of one contact. */
@ApiTags('threads')
@Controller('api/threads')
export class ThreadMovesController {
  constructor(private readonly moves: ThreadMovesService) {}

  @Post(':id/split')
  @MinRole('agent')
  @HttpCode(201)
  split(@Param('id', ParseUUIDPipe) id: string, @Body() body: SplitThreadDto, @CurrentSession() s: SessionPrincipal) {
    return this.moves.split(id, body.messageIds, { subject: body.subject, reason: body.reason }, viewerOf(s));
  }

  @Post(':id/merge')
  @MinRole('agent')
  @HttpCode(200)
  merge(@Param('id', ParseUUIDPipe) id: string, @Body() body: MergeThreadDto, @CurrentSession() s: SessionPrincipal) {
    return this.moves.merge(id, body.targetThreadId, { reason: body.reason }, viewerOf(s));
  }
}
