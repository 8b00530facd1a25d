import { el } from '../dom.js';
import { renderCheckpoint } from './checkpoint.js';
import { renderTrajectory } from './trajectory.js';
import { renderWatchlists } from './watchlists.js';

/** Routes of the traffic-control pages (merged into app.js's PAGES). */
export const CHECKPOINT_PAGES = { checkpoint: renderCheckpoint, trajectory: renderTrajectory, watchlists: renderWatchlists };

// The checkpoint routes read passes, alerts and watchlists with access ['viewer'] (approvers and admins pass
// that check too); auditors read the trail, not passes. The API stays the authority; this keeps the menu honest.
const READERS = ['viewer', 'approver', 'admin'];
const LINKS = [
  ['#/checkpoint', 'Checkpoint', READERS],
  ['#/watchlists', 'Watchlists & alerts', READERS],
];

export function checkpointNavLinks(user) {
  return LINKS.filter(([, , roles]) => roles.includes(user.role))
    .map(([href, label]) => el('a', { href, 'data-testid': `nav-${href.slice(2)}` }, label));
}
