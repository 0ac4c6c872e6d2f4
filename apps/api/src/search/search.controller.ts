import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { SearchQuery } from '@desk/contracts';
import { SearchService } from '@desk/core';
import { MinRole } from '../auth/access.decorators';

class SearchQueryDto extends createZodDto(SearchQuery) {}

@ApiTags('search')
@MinRole('agent')
@Controller('api/search')
export class SearchController {
  constructor(private readonly searchService: SearchService) {}

  @Get()
  search(@Query() q: SearchQueryDto) {
    return this.searchService.search(q);
  }
}
