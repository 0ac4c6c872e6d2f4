import { z } from 'zod';

/**
 * Canned replies: saved texts an agent inserts into the composer, with `{{placeholders}}` filled
 * from the thread on screen. Personal ones belong to their author, team ones to a team, global
 * ones to everybody; supervisors and admins manage team and global ones.
 */
export const CannedReplyScope = z.enum(['personal', 'team', 'global']);
export type CannedReplyScope = z.infer<typeof CannedReplyScope>;

/** `/refund` in the composer, then Tab: letters, digits, `-` and `_`, stored lowercase. */
export const CANNED_SHORTCUT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export const CannedReply = z.object({
  id: z.uuid(),
  title: z.string(),
  body: z.string(),
  shortcut: z.string().nullable(),
  scope: CannedReplyScope,
  ownerAgentId: z.uuid().nullable(),
  teamId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type CannedReply = z.infer<typeof CannedReply>;

const title = z.string().trim().min(1).max(200);
const body = z.string().max(20_000).refine((s) => s.trim().length > 0, 'must not be empty or blank');
const shortcut = z
  .string()
  .trim()
  .transform((s) => s.replace(/^\//, '').toLowerCase())
  .pipe(z.string().regex(CANNED_SHORTCUT_PATTERN, 'letters, digits, - and _ only (up to 40), like "refund"'))
  .nullable();

export const CreateCannedReplyRequest = z
  .object({
    title,
    body,
    shortcut: shortcut.optional(),
    scope: CannedReplyScope.default('personal'),
    /** Required for scope `team`, refused otherwise. */
    teamId: z.uuid().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.scope === 'team' && !v.teamId) ctx.addIssue({ code: 'custom', path: ['teamId'], message: 'a team reply needs its team' });
    if (v.scope !== 'team' && v.teamId) ctx.addIssue({ code: 'custom', path: ['teamId'], message: `a ${v.scope} reply has no team` });
  });
export type CreateCannedReplyRequest = z.input<typeof CreateCannedReplyRequest>;

/** Text and shortcut only: moving a reply to another scope is deleting it and creating it there. */
export const UpdateCannedReplyRequest = z
  .object({ title: title.optional(), body: body.optional(), shortcut: shortcut.optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });
export type UpdateCannedReplyRequest = z.input<typeof UpdateCannedReplyRequest>;

export const ListCannedRepliesQuery = z.object({ q: z.string().trim().max(200).optional() });
export type ListCannedRepliesQuery = z.infer<typeof ListCannedRepliesQuery>;

// --- placeholders -------------------------------------------------------------------------------

/** Every placeholder a canned reply may use, with what it stands for (shown in the editor). */
export const PLACEHOLDERS = {
  'contact.name': "the customer's name",
  'contact.firstName': "the customer's first name",
  'agent.name': 'your name',
  'agent.firstName': 'your first name',
  'thread.number': 'the thread number',
  'thread.subject': 'the thread subject',
  'inbox.name': 'the inbox name',
} as const;
export type PlaceholderKey = keyof typeof PLACEHOLDERS;

export interface PlaceholderContext {
  contact?: { name?: string | null } | null;
  agent?: { name?: string | null } | null;
  thread?: { number?: number | null; subject?: string | null } | null;
  inbox?: { name?: string | null } | null;
}

export interface PlaceholderIssue {
  /** The placeholder as written, e.g. `{{contact.nmae}}`. */
  placeholder: string;
  key: string;
  /** `unknown`: no such placeholder; `empty`: known, but the thread has no value and no fallback was given. */
  reason: 'unknown' | 'empty';
}

export interface Expansion {
  text: string;
  /** Placeholders left in the text as written, for the agent to fix before sending. */
  issues: PlaceholderIssue[];
}

// {{ key }} or {{ key | fallback }}; the fallback may hold anything but braces
const PLACEHOLDER = /\{\{\s*([^{}|]*?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}/g;

const firstName = (name: string | null | undefined) => name?.trim().split(/\s+/)[0] ?? null;

function valueOf(key: PlaceholderKey, ctx: PlaceholderContext): string | null {
  switch (key) {
    case 'contact.name':
      return ctx.contact?.name ?? null;
    case 'contact.firstName':
      return firstName(ctx.contact?.name);
    case 'agent.name':
      return ctx.agent?.name ?? null;
    case 'agent.firstName':
      return firstName(ctx.agent?.name);
    case 'thread.number':
      return ctx.thread?.number == null ? null : String(ctx.thread.number);
    case 'thread.subject':
      return ctx.thread?.subject ?? null;
    case 'inbox.name':
      return ctx.inbox?.name ?? null;
  }
}

const isKey = (k: string): k is PlaceholderKey => Object.prototype.hasOwnProperty.call(PLACEHOLDERS, k);

/**
 * Fills `{{placeholders}}` from the context. A known placeholder without a value takes its
 * fallback (`{{contact.firstName | there}}`); without one, and for an unknown placeholder, the
 * text is left exactly as written and reported in `issues`: a reply must never lose words
 * silently, and a visible `{{...}}` is something the agent notices before sending.
 */
export function expandPlaceholders(template: string, ctx: PlaceholderContext): Expansion {
  const issues: PlaceholderIssue[] = [];
  const text = template.replace(PLACEHOLDER, (whole, rawKey: string, fallback: string | undefined) => {
    const key = rawKey.trim();
    if (!isKey(key)) {
      issues.push({ placeholder: whole, key, reason: 'unknown' });
      return whole;
    }
    const value = valueOf(key, ctx)?.trim();
    if (value) return value;
    if (fallback !== undefined) return fallback;
    issues.push({ placeholder: whole, key, reason: 'empty' });
    return whole;
  });
  return { text, issues };
}
