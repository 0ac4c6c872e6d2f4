import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../api/endpoints';
import { isApiError } from '../api/client';
import { keys } from '../api/keys';

/** The admin screens' reads; kept beside the screens so the shared hooks file stays small. */
export function useInboxes() {
  return useQuery({ queryKey: keys.inboxes, queryFn: ({ signal }) => api.inboxes(signal) });
}

export function useTeams() {
  return useQuery({ queryKey: keys.teams, queryFn: ({ signal }) => api.teams(signal) });
}

export function useSlaCalendars() {
  return useQuery({ queryKey: keys.slaCalendars, queryFn: ({ signal }) => api.slaCalendars(signal) });
}

export function useSlaPolicies() {
  return useQuery({ queryKey: keys.slaPolicies, queryFn: ({ signal }) => api.slaPolicies(signal) });
}

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

/** The same shape from a client-side check with the contracts schema, before anything is sent. */
export function fieldErrorsOfZod(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const i of error.issues) out[i.path.join('.') || '(body)'] ??= i.message;
  return out;
}

/** Errors that name no field the form shows: said once above the buttons. */
export function unplacedErrors(errors: FieldErrors, shown: readonly string[]): string[] {
  return Object.entries(errors)
    .filter(([path]) => !shown.some((s) => path === s || path.startsWith(`${s}.`)))
    .map(([path, message]) => `${path}: ${message}`);
}

/** Minutes as the largest whole unit: 90 → "1.5 h", 45 → "45 min", 2880 → "48 h". */
export function formatMinutes(minutes: number | null): string {
  if (minutes === null) return '—';
  if (minutes >= 60) return `${Number((minutes / 60).toFixed(2))} h`;
  return `${Number(minutes.toFixed(2))} min`;
}
