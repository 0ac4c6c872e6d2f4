import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { BusinessCalendarDto, BusinessCalendarInput, SlaPolicyDto, SlaPolicyInput } from '@desk/contracts';
import { AuditService, type Actor } from '../audit/audit.service';
import { BusinessCalendar } from './business-calendar.entity';
import { SlaPolicy } from './sla-policy.entity';
import { validateCalendar, type BusinessCalendarSpec } from './business-time';
import { parseIcalHolidays } from './ical-holidays';

const toCalendarDto = (c: BusinessCalendar): BusinessCalendarDto => ({
  id: c.id,
  name: c.name,
  timeZone: c.timeZone,
  weeklyHours: c.weeklyHours as BusinessCalendarDto['weeklyHours'],
  holidays: c.holidays,
});

const toPolicyDto = (p: SlaPolicy): SlaPolicyDto => ({
  id: p.id,
  name: p.name,
  position: p.position,
  conditions: p.conditions,
  firstResponseMinutes: p.firstResponseMinutes,
  nextResponseMinutes: p.nextResponseMinutes,
  resolutionMinutes: p.resolutionMinutes,
  warningPercent: p.warningPercent,
  pauseWhenPending: p.pauseWhenPending,
  pauseWhenSnoozed: p.pauseWhenSnoozed,
  stallMinutes: p.stallMinutes,
  autoReassignAfterMinutes: p.autoReassignAfterMinutes,
  escalation: p.escalation,
  calendarId: p.calendarId,
  isActive: p.isActive,
});

/**
 * Admins' SLA settings: business calendars (entered, or holidays imported from iCalendar) and
 * policies. Calendars go through the same validation the deadline code relies on, so a calendar
 * that could never open, or an unknown time zone, is refused with the field named.
 */
@Injectable()
export class SlaSettingsService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async listCalendars(): Promise<BusinessCalendarDto[]> {
    return (await this.ds.getRepository(BusinessCalendar).find({ order: { name: 'ASC' } })).map(toCalendarDto);
  }

  async createCalendar(input: BusinessCalendarInput, actor: Actor): Promise<BusinessCalendarDto> {
    this.validate(input);
    return this.ds.transaction(async (m) => {
      const saved = await m.save(BusinessCalendar, { ...input, holidays: [...new Set(input.holidays)].sort() });
      await this.audit.record({ actor, action: 'sla.calendar_created', data: { calendarId: saved.id } }, m);
      return toCalendarDto(saved);
    });
  }

  async importHolidays(id: string, ics: string, range: { from: string; to: string }, actor: Actor): Promise<BusinessCalendarDto> {
    let dates: string[];
    try {
      dates = parseIcalHolidays(ics, range);
    } catch (e) {
      throw new BadRequestException(`ics: ${(e as Error).message}`);
    }
    return this.ds.transaction(async (m) => {
      const cal = await m.findOne(BusinessCalendar, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!cal) throw new NotFoundException('calendar not found');
      const before = cal.holidays.length;
      cal.holidays = [...new Set([...cal.holidays, ...dates])].sort();
      await m.save(cal);
      await this.audit.record({ actor, action: 'sla.holidays_imported', data: { calendarId: id, added: cal.holidays.length - before } }, m);
      return toCalendarDto(cal);
    });
  }

  async listPolicies(): Promise<SlaPolicyDto[]> {
    return (await this.ds.getRepository(SlaPolicy).find({ order: { position: 'ASC', createdAt: 'ASC' } })).map(toPolicyDto);
  }

  async createPolicy(input: SlaPolicyInput, actor: Actor): Promise<SlaPolicyDto> {
    return this.ds.transaction(async (m) => {
      if (input.calendarId && !(await m.existsBy(BusinessCalendar, { id: input.calendarId }))) {
        throw new NotFoundException('calendarId: unknown calendar');
      }
      const saved = await m.save(SlaPolicy, { ...input });
      await this.audit.record({ actor, action: 'sla.policy_created', data: { policyId: saved.id } }, m);
      return toPolicyDto(saved);
    });
  }

  private validate(input: BusinessCalendarInput): void {
    try {
      validateCalendar({ timeZone: input.timeZone, weeklyHours: input.weeklyHours, holidays: input.holidays } as BusinessCalendarSpec);
    } catch (e) {
      throw new BadRequestException((e as Error).message);
    }
  }
}
