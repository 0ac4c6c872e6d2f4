import type { ThreadView } from '@desk/contracts';

export const VIEWS: { view: ThreadView; label: string }[] = [
  { view: 'mine', label: 'Mine' },
  { view: 'unassigned', label: 'Unassigned' },
  { view: 'my_teams', label: 'My teams' },
  { view: 'all', label: 'All' },
  { view: 'at_risk', label: 'At risk' },
  { view: 'breached', label: 'Breached' },
];
