// Every message namespace of the player (one file each, see ../i18n.js). Add a line per new namespace.
import audit from './audit.js';
import checkpoint from './checkpoint.js';
import common from './common.js';
import crowd from './crowd.js';
import errors from './errors.js';
import live from './live.js';
import nav from './nav.js';
import notices from './notices.js';
import notify from './notify.js';
import provinces from './provinces.js';
import terms from './terms.js';
import wall from './wall.js';
import workflow from './workflow.js';
import viid from './viid.js';
import recording from './recording.js';
import map from './map.js';
import catalogue from './catalogue.js';
import playback from './playback.js';

export const NAMESPACES = {
  audit,
  checkpoint,
  common,
  crowd,
  errors,
  live,
  nav,
  notices,
  notify,
  provinces,
  terms,
  wall,
  workflow,
  viid,
  recording,
  map,
  catalogue,
  playback,
};
