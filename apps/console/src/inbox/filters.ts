import { ChannelKind, Priority, ThreadStatus, ThreadView } from '@desk/contracts';
import type { z } from 'zod';
import type { ThreadFilters } from '../api/endpoints';

function csv<T extends z.ZodType<string>>(schema: T, raw: string | null): z.infer<T>[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((v) => schema.safeParse(v))
    .filter((r) => r.success)
    .map((r) => r.data as z.infer<T>);
}

/** The inbox's state lives in the URL: the view in the path, filters in the query string. */
export function filtersFromUrl(viewParam: string | undefined, search: URLSearchParams): ThreadFilters | null {
  const view = ThreadView.safeParse(viewParam);
  if (!view.success) return null;
  const filters: ThreadFilters = { view: view.data };
  const status = csv(ThreadStatus, search.get('status'));
  const channel = csv(ChannelKind, search.get('channel'));
  const priority = csv(Priority, search.get('priority'));
  if (status.length) filters.status = status;
  if (channel.length) filters.channel = channel;
  if (priority.length) filters.priority = priority;
  const inboxId = search.get('inboxId');
  if (inboxId) filters.inboxId = inboxId;
  const tag = search.get('tag');
  if (tag) filters.tag = tag;
  return filters;
}
