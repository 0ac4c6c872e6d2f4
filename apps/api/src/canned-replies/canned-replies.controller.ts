import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { CreateCannedReplyRequest, ListCannedRepliesQuery, UpdateCannedReplyRequest } from '@desk/contracts';
import { CannedRepliesService, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';
import { viewerOf } from '../auth/me';

class CreateCannedReplyDto extends createZodDto(CreateCannedReplyRequest) {}
class UpdateCannedReplyDto extends createZodDto(UpdateCannedReplyRequest) {}
class ListCannedRepliesDto extends createZodDto(ListCannedRepliesQuery) {}

/**
 * Canned replies. Any agent reads global, their teams' and their own, and manages their own;
 * team and global ones are managed by supervisors and admins (checked by the service, per row).
 */
@ApiTags('canned-replies')
@MinRole('agent')
@Controller('api/canned-replies')
export class CannedRepliesController {
  constructor(private readonly canned: CannedRepliesService) {}

  @Get()
  list(@Query() q: ListCannedRepliesDto, @CurrentSession() s: SessionPrincipal) {
    return this.canned.list(viewerOf(s), q);
  }

  @Post()
  @HttpCode(201)
  create(@Body() body: CreateCannedReplyDto, @CurrentSession() s: SessionPrincipal) {
    return this.canned.create(body, viewerOf(s));
  }

  @Patch(':id')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateCannedReplyDto, @CurrentSession() s: SessionPrincipal) {
    return this.canned.update(id, body, viewerOf(s));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', ParseUUIDPipe) id: string, @CurrentSession() s: SessionPrincipal) {
    await this.canned.remove(id, viewerOf(s));
  }
}
