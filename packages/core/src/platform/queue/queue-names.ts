/** Every BullMQ queue of the desk. Job ids are derived from domain keys with '-' separators. */
export enum QueueName {
  Ingest = 'ingest',
  Deliver = 'deliver',
  Sla = 'sla',
  Maintenance = 'maintenance',
}

/** Job names per queue; the worker refuses to start if one has no processor. */
export const JOB_NAMES: Record<QueueName, readonly string[]> = {
  [QueueName.Ingest]: [],
  [QueueName.Deliver]: [],
  [QueueName.Sla]: [],
  [QueueName.Maintenance]: ['session-cleanup'],
};
