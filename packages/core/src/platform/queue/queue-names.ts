/** Every BullMQ queue of the desk. Job ids are derived from domain keys with '-' separators. */
export enum QueueName {
  Ingest = 'ingest',
  Deliver = 'deliver',
  Sla = 'sla',
  Maintenance = 'maintenance',
}

/** Job names per queue; the worker refuses to start if one has no processor. */
export const JOB_NAMES: Record<QueueName, readonly string[]> = {
  [QueueName.Ingest]: ['ingest', 'ingest-reconcile', 'x-mentions-poll'],
  [QueueName.Deliver]: ['deliver', 'deliver-reconcile', 'notify-email'],
  [QueueName.Sla]: ['sla-warn', 'sla-breach', 'sla-escalate', 'sla-reconcile'],
  [QueueName.Maintenance]: ['session-cleanup', 'attachment-cleanup', 'assignment-sweep', 'stalled-auto-reassign'],
};
