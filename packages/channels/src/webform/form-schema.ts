// Web form fields, their validation (zod) and the submission → NormalizedMessage mapping.
// A submission always opens a new thread (no conversationKey): the customer is identified by the
// email address given, and the team's replies go out by email (replyTarget kind 'email'), so the
// customer's email answers thread through the email channel's own keys.
import { z } from 'zod';
import type { NormalizedMessage } from '../adapter';
import { socialIdempotencyKey } from '../social/message';

export type FormFieldType = 'text' | 'textarea' | 'select' | 'checkbox' | 'email';

export interface FormFieldSpec {
  name: string;
  label: string;
  type: FormFieldType;
  required: boolean;
  /** select: the allowed values. */
  options?: string[];
  maxLength?: number;
}

/** Hidden field humans leave empty; bots fill every input. A filled honeypot is spam. */
export const HONEYPOT_FIELD = 'website';
export const MESSAGE_MAX_LENGTH = 20_000;

export const BUILTIN_FORM_FIELDS: readonly FormFieldSpec[] = [
  { name: 'name', label: 'Your name', type: 'text', required: true, maxLength: 200 },
  { name: 'email', label: 'Email address', type: 'email', required: true, maxLength: 320 },
  { name: 'subject', label: 'Subject', type: 'text', required: false, maxLength: 200 },
  { name: 'message', label: 'Message', type: 'textarea', required: true, maxLength: MESSAGE_MAX_LENGTH },
];

const BUILTIN_NAMES = new Set(BUILTIN_FORM_FIELDS.map((f) => f.name));
const NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
const DEFAULT_TEXT_MAX = 2000;

/** Built-in fields first, then the inbox's custom fields. */
export function allFormFields(custom: readonly FormFieldSpec[]): FormFieldSpec[] {
  return [...BUILTIN_FORM_FIELDS, ...custom.filter((f) => !BUILTIN_NAMES.has(f.name))];
}

const TRUE_VALUES = new Set(['on', 'true', '1', 'yes']);
const FALSE_VALUES = new Set(['', 'off', 'false', '0', 'no']);

/** Form posts give strings (or arrays for repeated keys); JSON posts may give booleans and numbers. */
function single(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

function textSchema(spec: FormFieldSpec): z.ZodType {
  const max = spec.maxLength ?? (spec.type === 'textarea' ? MESSAGE_MAX_LENGTH : DEFAULT_TEXT_MAX);
  const typeError = (issue: { input?: unknown }): string =>
    issue.input === undefined ? `${spec.label} is required` : spec.type === 'email' ? `${spec.label} must be a valid email address` : `${spec.label} must be text`;
  const tooLong = `${spec.label} must be at most ${max} characters`;
  let base: z.ZodType;
  if (spec.type === 'email') {
    base = z.email({ error: typeError }).max(max, tooLong);
  } else if (spec.type === 'select') {
    const options = spec.options ?? [];
    base = z.string({ error: typeError }).refine((v) => options.includes(v), `${spec.label} must be one of: ${options.join(', ')}`);
  } else {
    base = z.string({ error: typeError }).max(max, tooLong);
  }
  const normalize = (value: unknown): unknown => {
    const v = single(value);
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string') return v;
    const trimmed = v.trim();
    return trimmed === '' ? undefined : spec.type === 'email' ? trimmed.toLowerCase() : trimmed;
  };
  return z.preprocess(normalize, spec.required ? base : base.optional());
}

function checkboxSchema(spec: FormFieldSpec): z.ZodType {
  return z.preprocess(
    (value) => {
      const v = single(value);
      if (v === undefined || v === null || v === false) return false;
      if (v === true) return true;
      if (typeof v === 'string' && TRUE_VALUES.has(v.trim().toLowerCase())) return true;
      if (typeof v === 'string' && FALSE_VALUES.has(v.trim().toLowerCase())) return false;
      return v;
    },
    z.boolean(`${spec.label} must be checked or not`).refine((v) => !spec.required || v, `${spec.label} must be checked`),
  );
}

/** A zod object for the built-in fields, the custom ones and the honeypot. Throws on a bad field definition. */
export function buildFormSchema(fields: readonly FormFieldSpec[]): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const spec of allFormFields(fields)) {
    if (!NAME_PATTERN.test(spec.name) || spec.name === HONEYPOT_FIELD) throw new Error(`invalid form field name "${spec.name}"`);
    if (spec.type === 'select' && (spec.options ?? []).length === 0) throw new Error(`select field "${spec.name}" needs options`);
    shape[spec.name] = spec.type === 'checkbox' ? checkboxSchema(spec) : textSchema(spec);
  }
  shape[HONEYPOT_FIELD] = z.preprocess(single, z.union([z.undefined(), z.null(), z.literal('')], 'must be empty'));
  return z.object(shape);
}

export interface FormSubmission {
  name: string;
  email: string;
  subject: string | null;
  message: string;
  /** Custom fields by name: text as string (null when left empty), checkboxes as booleans. */
  custom: Record<string, string | boolean | null>;
}

export interface FormFieldError {
  field: string;
  message: string;
}

export type FormParseResult =
  | { ok: true; value: FormSubmission }
  /** `spam` is true when the honeypot was filled: answer as if accepted and store nothing. */
  | { ok: false; errors: FormFieldError[]; spam: boolean };

/** Validates a JSON or urlencoded body against the inbox's fields. Unknown keys are ignored. */
export function parseFormSubmission(body: Record<string, unknown>, fields: readonly FormFieldSpec[]): FormParseResult {
  const result = buildFormSchema(fields).safeParse(body);
  if (!result.success) {
    const seen = new Set<string>();
    const errors: FormFieldError[] = [];
    for (const issue of result.error.issues) {
      const field = String(issue.path[0] ?? '');
      if (seen.has(field)) continue;
      seen.add(field);
      errors.push({ field, message: issue.message });
    }
    return { ok: false, errors, spam: seen.has(HONEYPOT_FIELD) };
  }
  const data = result.data as Record<string, unknown>;
  const custom: Record<string, string | boolean | null> = {};
  for (const spec of fields) {
    if (BUILTIN_NAMES.has(spec.name)) continue;
    const v = data[spec.name];
    custom[spec.name] = typeof v === 'string' || typeof v === 'boolean' ? v : null;
  }
  return {
    ok: true,
    value: {
      name: String(data.name),
      email: String(data.email),
      subject: typeof data.subject === 'string' ? data.subject : null,
      message: String(data.message),
      custom,
    },
  };
}

export function webformIdempotencyKey(inboxId: string, submissionId: string): string {
  return socialIdempotencyKey(inboxId, 'webform', submissionId);
}

export function webformToNormalized(
  value: FormSubmission,
  ctx: { inboxId: string; receivedAt: Date; submissionId: string },
): NormalizedMessage {
  return {
    channel: 'webform',
    externalId: ctx.submissionId,
    sender: { kind: 'email', value: value.email.toLowerCase(), displayName: value.name },
    participants: [],
    subject: value.subject,
    sentAt: ctx.receivedAt,
    text: value.message,
    visibleText: value.message.trim(),
    html: null,
    threading: { inReplyTo: null, references: [], token: null, marker: null, subjectNumber: null },
    isAutomatic: false,
    automaticReason: null,
    bounce: null,
    attachments: [],
    refusedAttachments: [],
    isPublic: true,
    replyTarget: { kind: 'email', id: value.email.toLowerCase() },
    formFields: value.custom,
  };
}
