import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
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

  /** Replaces a calendar (hours, zone, holidays); running clocks keep their deadlines until they restart. */
  async updateCalendar(id: string, input: BusinessCalendarInput, actor: Actor): Promise<BusinessCalendarDto> {
    this.validate(input);
    return this.ds.transaction(async (m) => {
      const cal = await m.findOne(BusinessCalendar, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!cal) throw new NotFoundException('calendar not found');
      Object.assign(cal, { ...input, holidays: [...new Set(input.holidays)].sort() });
      const saved = await m.save(cal);
      await this.audit.record({ actor, action: 'sla.calendar_updated', data: { calendarId: id } }, m);
      return toCalendarDto(saved);
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

  /** Replaces a policy; clocks already started under it keep the deadlines they were given. */
  async updatePolicy(id: string, input: SlaPolicyInput, actor: Actor): Promise<SlaPolicyDto> {
    return this.ds.transaction(async (m) => {
      const policy = await m.findOne(SlaPolicy, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!policy) throw new NotFoundException('policy not found');
      if (input.calendarId && !(await m.existsBy(BusinessCalendar, { id: input.calendarId }))) {
        throw new NotFoundException('calendarId: unknown calendar');
      }
      Object.assign(policy, input);
      const saved = await m.save(policy);
      await this.audit.record({ actor, action: 'sla.policy_updated', data: { policyId: id } }, m);
      return toPolicyDto(saved);
    });
  }

  /**
   * Only a policy no live clock depends on: a running, paused or breached clock re-reads its
   * policy's calendar and escalation steps, so those policies are deactivated instead (409 says so).
   * Finished clocks keep their deadlines; their policy reference becomes null.
   */
  async deletePolicy(id: string, actor: Actor): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.query(`SELECT id FROM sla_policies WHERE id = $1 FOR UPDATE`, [id]);
      const [live]: unknown[] = await m.query(`SELECT 1 FROM sla_clocks WHERE policy_id = $1 AND status IN ('running', 'paused', 'breached') LIMIT 1`, [id]);
      if (live) throw new ConflictException('isActive: threads have running clocks under this policy; deactivate it instead');
      const res = await m.delete(SlaPolicy, { id });
      if (!res.affected) throw new NotFoundException('policy not found');
      await this.audit.record({ actor, action: 'sla.policy_deleted', data: { policyId: id } }, m);
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
