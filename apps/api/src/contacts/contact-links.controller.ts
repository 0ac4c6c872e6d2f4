import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { LinkIdentityRequest, MergeContactsRequest, UnmergeContactsRequest } from '@desk/contracts';
import { ContactLinksService, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';
import { viewerOf } from '../auth/me';

class LinkIdentityDto extends createZodDto(LinkIdentityRequest) {}
class MergeContactsDto extends createZodDto(MergeContactsRequest) {}
class UnmergeContactsDto extends createZodDto(UnmergeContactsRequest) {}

/**
 * One customer across channels. Agents may link identities and merge (they meet the duplicate
 * first, and every merge is audited and reversible); undoing a merge is for supervisors.
 */
@ApiTags('contacts')
@Controller('api')
export class ContactLinksController {
  constructor(private readonly links: ContactLinksService) {}

  @Post('contacts/:id/identities')
  @MinRole('agent')
  @HttpCode(201)
  link(@Param('id', ParseUUIDPipe) id: string, @Body() body: LinkIdentityDto, @CurrentSession() s: SessionPrincipal) {
    return this.links.link(id, body, viewerOf(s));
  }

  @Post('contacts/:id/merge')
  @MinRole('agent')
  @HttpCode(200)
  merge(@Param('id', ParseUUIDPipe) id: string, @Body() body: MergeContactsDto, @CurrentSession() s: SessionPrincipal) {
    return this.links.merge(id, body.otherContactId, body.reason, viewerOf(s));
  }

  @Post('contacts/:id/unmerge')
  @MinRole('supervisor')
  @HttpCode(200)
  unmerge(@Param('id', ParseUUIDPipe) id: string, @Body() body: UnmergeContactsDto, @CurrentSession() s: SessionPrincipal) {
    return this.links.unmerge(id, body.mergedContactId, body.reason, viewerOf(s));
  }

  @Get('contacts/:id/merge-suggestions')
  @MinRole('agent')
  suggestions(@Param('id', ParseUUIDPipe) id: string) {
    return this.links.mergeSuggestions(id);
  }

  /** The merges into this contact that can still be undone, so the console can offer the undo. */
  @Get('contacts/:id/merges')
  @MinRole('agent')
  merges(@Param('id', ParseUUIDPipe) id: string) {
    return this.links.merges(id);
  }

  @Get('threads/:id/email-suggestions')
  @MinRole('agent')
  emailSuggestions(@Param('id', ParseUUIDPipe) id: string) {
    return this.links.emailSuggestions(id);
  }
}
