import { ALWAYS_OPEN, type BusinessCalendarSpec, type Weekday } from './business-time';
import type { SlaConditions } from './sla-policy.entity';

/** What a policy's conditions are matched against. */
export interface PolicyFacts {
  inboxId: string;
  channel: string;
  priority: string;
  teamId: string | null;
  contactTags: readonly string[];
}

export interface MatchablePolicy {
  position: number;
  isActive: boolean;
  conditions: SlaConditions;
}

const anyOf = (allowed: readonly string[] | undefined, value: string | null): boolean =>
  !allowed || allowed.length === 0 || (value !== null && allowed.includes(value));

/**
 * Whether every condition holds. An absent or empty condition matches anything; contactTags
 * matches when the contact carries at least one of the listed tags.
 */
export function policyMatches(conditions: SlaConditions, facts: PolicyFacts): boolean {
  const c = conditions ?? {};
  return (
    anyOf(c.inboxIds, facts.inboxId) &&
    anyOf(c.channels, facts.channel) &&
    anyOf(c.priorities, facts.priority) &&
    anyOf(c.teamIds, facts.teamId) &&
    (!c.contactTags || c.contactTags.length === 0 || c.contactTags.some((t) => facts.contactTags.includes(t)))
  );
}

/** The first active policy by position whose conditions all match, or null (the thread gets no clock). */
export function matchPolicy<P extends MatchablePolicy>(policies: readonly P[], facts: PolicyFacts): P | null {
  const ordered = policies.filter((p) => p.isActive).sort((a, b) => a.position - b.position);
  return ordered.find((p) => policyMatches(p.conditions, facts)) ?? null;
}

/** The policy's calendar, or open around the clock when it has none. */
export function calendarOf(cal: { timeZone: string; weeklyHours: Record<string, Array<[string, string]>>; holidays: string[] } | null | undefined): BusinessCalendarSpec {
  if (!cal) return ALWAYS_OPEN;
  return { timeZone: cal.timeZone, weeklyHours: cal.weeklyHours as Record<Weekday, Array<[string, string]>>, holidays: cal.holidays };
}
