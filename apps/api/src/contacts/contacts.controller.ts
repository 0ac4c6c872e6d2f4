import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { ListContactsQuery, PageQuery } from '@desk/contracts';
import { ContactsService, ThreadsService } from '@desk/core';
import { MinRole } from '../auth/access.decorators';

class ListContactsDto extends createZodDto(ListContactsQuery) {}
class PageDto extends createZodDto(PageQuery) {}

@ApiTags('contacts')
@MinRole('agent')
@Controller('api/contacts')
export class ContactsController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly threads: ThreadsService,
  ) {}

  @Get()
  list(@Query() q: ListContactsDto) {
    return this.contacts.list(q);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.contacts.get(id);
  }

  @Get(':id/threads')
  async threadsOf(@Param('id', ParseUUIDPipe) id: string, @Query() q: PageDto) {
    // the history panel asks on every thread open: the contact's existence is only checked (404)
    // when the page comes back empty, so the common case is one query
    const page = await this.threads.listForContact(id, q.cursor, q.limit);
    if (!page.items.length) await this.contacts.assertExists(id);
    return page;
  }
}
