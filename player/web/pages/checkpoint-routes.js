import { renderCheckpoint } from './checkpoint.js';
import { renderTrajectory } from './trajectory.js';
import { renderWatchlists } from './watchlists.js';

/** Routes of the traffic-control pages (merged into app.js's PAGES). */
export const CHECKPOINT_PAGES = { checkpoint: renderCheckpoint, trajectory: renderTrajectory, watchlists: renderWatchlists };
