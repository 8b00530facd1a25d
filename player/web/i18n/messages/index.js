// Every message namespace of the player (one file each, see ../i18n.js). Add a line per new namespace.
import common from './common.js';
import errors from './errors.js';
import nav from './nav.js';
import terms from './terms.js';
import workflow from './workflow.js';

export const NAMESPACES = {
  common,
  errors,
  nav,
  terms,
  workflow,
};
