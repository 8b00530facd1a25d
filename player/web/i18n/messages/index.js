// Every message namespace of the player (one file each, see ../i18n.js). Add a line per new namespace.
import common from './common.js';
import playback from './playback.js';

export const NAMESPACES = {
  common,
  playback,
};
