import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { SlaReportQuery } from '@desk/contracts';
import { ReportsService } from '@desk/core';
import { MinRole } from '../auth/access.decorators';

class SlaReportQueryDto extends createZodDto(SlaReportQuery) {}

@ApiTags('reports')
@MinRole('supervisor')
@Controller('api/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('sla')
  @MinRole('supervisor')
  sla(@Query() q: SlaReportQueryDto) {
    return this.reports.sla(q);
  }
}
