import { isApiError } from './client';

/** Field path ("escalation.0.afterMinutes") → message. */
export type FieldErrors = Record<string, string>;

const FIELD_PATH = /^[A-Za-z][\w.[\]]*$/;
/** Another "path: message" part starts here (a message may itself contain "; "). */
const NEXT_PART = /; (?=[A-Za-z][\w.[\]]*: )/;
/** `weeklyHours.mon[0][1]` (the calendar code's spelling) → `weeklyHours.mon.0.1` (zod's). */
const dotted = (path: string) => path.replace(/\[(\d+)\]/g, '.$1');

/**
 * The server names the failing field two ways: a zod 400 lists `fields`; a service's own 400/404/409
 * starts its message with "path: …" ("calendarId: unknown calendar"). Both land under the named input.
 */
export function fieldErrorsOf(error: unknown): FieldErrors {
  if (!isApiError(error)) return {};
  const out: FieldErrors = {};
  if (error.body?.fields?.length) {
    for (const f of error.body.fields) out[f.path] ??= f.message;
    return out;
  }
  for (const part of error.message.split(NEXT_PART)) {
    const at = part.indexOf(': ');
    const path = at > 0 ? part.slice(0, at) : '';
    if (FIELD_PATH.test(path)) out[dotted(path)] ??= part.slice(at + 2);
  }
  return out;
}

/**
 * One field's message for a form input (`field`), and the error's message when it names no field
 * the caller asked about (`other`, shown above the buttons).
 */
export function errorFor(e: unknown, field: string): { field: string | null; other: string | null } {
  if (!e) return { field: null, other: null };
  if (!isApiError(e)) return { field: null, other: e instanceof Error ? e.message : String(e) };
  const named = fieldErrorsOf(e)[field];
  return named !== undefined ? { field: named, other: null } : { field: null, other: e.message };
}
