// Every message namespace of the player (one file each, see ../i18n.js). Add a line per new namespace.
import common from './common.js';
import viid from './viid.js';

export const NAMESPACES = {
  common,
  viid,
};
