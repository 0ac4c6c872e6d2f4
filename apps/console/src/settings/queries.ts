import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../api/endpoints';
import { keys } from '../api/keys';
import type { FieldErrors } from '../api/errors';

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

export { fieldErrorsOf, type FieldErrors } from '../api/errors';

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
