import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { BusinessCalendarInput, ImportHolidaysRequest, SlaPolicyInput } from '@desk/contracts';
import { SlaSettingsService, type SessionPrincipal } from '@desk/core';
import { CurrentSession, MinRole } from '../auth/access.decorators';

class CalendarDto extends createZodDto(BusinessCalendarInput) {}
class ImportDto extends createZodDto(ImportHolidaysRequest) {}
class PolicyDto extends createZodDto(SlaPolicyInput) {}

/** Business calendars and SLA policies: supervisors read them, admins change them. */
@ApiTags('sla')
@Controller('api/sla')
export class SlaSettingsController {
  constructor(private readonly settings: SlaSettingsService) {}

  @MinRole('supervisor')
  @Get('calendars')
  calendars() {
    return this.settings.listCalendars();
  }

  @MinRole('admin')
  @Post('calendars')
  createCalendar(@Body() body: CalendarDto, @CurrentSession() s: SessionPrincipal) {
    return this.settings.createCalendar(body, { kind: 'agent', agentId: s.agent.id });
  }

  @MinRole('admin')
  @Put('calendars/:id')
  updateCalendar(@Param('id', ParseUUIDPipe) id: string, @Body() body: CalendarDto, @CurrentSession() s: SessionPrincipal) {
    return this.settings.updateCalendar(id, body, { kind: 'agent', agentId: s.agent.id });
  }

  @MinRole('admin')
  @Post('calendars/:id/holidays/import')
  importHolidays(@Param('id', ParseUUIDPipe) id: string, @Body() body: ImportDto, @CurrentSession() s: SessionPrincipal) {
    return this.settings.importHolidays(id, body.ics, { from: body.from, to: body.to }, { kind: 'agent', agentId: s.agent.id });
  }

  @MinRole('supervisor')
  @Get('policies')
  policies() {
    return this.settings.listPolicies();
  }

  @MinRole('admin')
  @Post('policies')
  createPolicy(@Body() body: PolicyDto, @CurrentSession() s: SessionPrincipal) {
    return this.settings.createPolicy(body, { kind: 'agent', agentId: s.agent.id });
  }

  @MinRole('admin')
  @Put('policies/:id')
  updatePolicy(@Param('id', ParseUUIDPipe) id: string, @Body() body: PolicyDto, @CurrentSession() s: SessionPrincipal) {
    return this.settings.updatePolicy(id, body, { kind: 'agent', agentId: s.agent.id });
  }

  @MinRole('admin')
  @Delete('policies/:id')
  @HttpCode(204)
  async deletePolicy(@Param('id', ParseUUIDPipe) id: string, @CurrentSession() s: SessionPrincipal): Promise<void> {
    await this.settings.deletePolicy(id, { kind: 'agent', agentId: s.agent.id });
  }
}
