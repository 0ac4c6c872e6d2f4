import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { fieldErrorsOf, formatMinutes } from './queries';

const err = (message: string, fields?: Array<{ path: string; message: string }>) =>
  new ApiError(400, message, { statusCode: 400, error: 'Bad Request', message, ...(fields ? { fields } : {}) });

describe('fieldErrorsOf', () => {
  it('takes the listed fields of a validation 400', () => {
    expect(fieldErrorsOf(err('x', [{ path: 'escalation.0.afterMinutes', message: 'too small' }]))).toEqual({ 'escalation.0.afterMinutes': 'too small' });
  });

  it("reads a service's 'path: message' parts, bracket indexes as dots, keeping a message's own semicolons", () => {
    const message = "weeklyHours.mon[0]: range 17:00-09:00 is empty or inverted; split a night shift at midnight: ['22:00', '24:00']; timeZone: unknown";
    expect(fieldErrorsOf(err(message))).toEqual({
      'weeklyHours.mon.0': "range 17:00-09:00 is empty or inverted; split a night shift at midnight: ['22:00', '24:00']",
      timeZone: 'unknown',
    });
    expect(fieldErrorsOf(err('business calendar is never open: every weekday has no hours'))).toEqual({});
    expect(fieldErrorsOf(new Error('calendarId: x'))).toEqual({});
  });
});

describe('formatMinutes', () => {
  it('shows whole hours as hours and short targets as minutes', () => {
    expect([formatMinutes(45), formatMinutes(90), formatMinutes(2880), formatMinutes(null)]).toEqual(['45 min', '1.5 h', '48 h', '—']);
  });
});
