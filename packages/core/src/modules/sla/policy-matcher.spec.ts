import { ALWAYS_OPEN } from './business-time';
import { calendarOf, matchPolicy, policyMatches, type PolicyFacts } from './policy-matcher';

const facts: PolicyFacts = { inboxId: 'inbox-1', channel: 'email', priority: 'high', teamId: 'team-1', contactTags: ['vip', 'beta'] };
const p = (name: string, position: number, conditions: object, isActive = true) => ({ name, position, conditions, isActive });

describe('policyMatches', () => {
  it('treats absent and empty conditions as "any"', () => {
    expect(policyMatches({}, facts)).toBe(true);
    expect(policyMatches({ inboxIds: [], channels: [], priorities: [], teamIds: [], contactTags: [] }, facts)).toBe(true);
  });

  it('requires every given condition to hold', () => {
    expect(policyMatches({ channels: ['email'], priorities: ['high', 'urgent'] }, facts)).toBe(true);
    expect(policyMatches({ channels: ['email'], priorities: ['urgent'] }, facts)).toBe(false);
    expect(policyMatches({ inboxIds: ['inbox-2'] }, facts)).toBe(false);
    expect(policyMatches({ teamIds: ['team-1'] }, facts)).toBe(true);
  });

  it('does not match a team condition for a thread without a team', () => {
    expect(policyMatches({ teamIds: ['team-1'] }, { ...facts, teamId: null })).toBe(false);
  });

  it('matches contact tags when the contact has any of them', () => {
    expect(policyMatches({ contactTags: ['vip'] }, facts)).toBe(true);
    expect(policyMatches({ contactTags: ['enterprise', 'beta'] }, facts)).toBe(true);
    expect(policyMatches({ contactTags: ['enterprise'] }, facts)).toBe(false);
  });
});

describe('matchPolicy', () => {
  it('picks the first matching active policy by position, whatever the input order', () => {
    const policies = [p('fallback', 10, {}), p('vip', 1, { contactTags: ['vip'] }), p('urgent', 0, { priorities: ['urgent'] })];
    expect(matchPolicy(policies, facts)?.name).toBe('vip');
    expect(matchPolicy(policies, { ...facts, priority: 'urgent' })?.name).toBe('urgent');
    expect(matchPolicy(policies, { ...facts, contactTags: [] })?.name).toBe('fallback');
  });

  it('skips inactive policies', () => {
    expect(matchPolicy([p('off', 0, {}, false), p('on', 5, {})], facts)?.name).toBe('on');
  });

  it('returns null when nothing matches: the thread gets no clock', () => {
    expect(matchPolicy([p('x', 0, { channels: ['x'] })], facts)).toBeNull();
    expect(matchPolicy([], facts)).toBeNull();
  });
});

describe('calendarOf', () => {
  it('is open around the clock without a calendar', () => {
    expect(calendarOf(null)).toBe(ALWAYS_OPEN);
  });
  it('uses the given calendar', () => {
    const cal = { timeZone: 'Europe/Berlin', weeklyHours: { mon: [['09:00', '17:00']] as Array<[string, string]> }, holidays: ['2025-12-25'] };
    expect(calendarOf(cal)).toEqual({ timeZone: 'Europe/Berlin', weeklyHours: cal.weeklyHours, holidays: ['2025-12-25'] });
  });
});
