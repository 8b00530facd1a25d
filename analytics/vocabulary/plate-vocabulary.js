// The plate vocabulary shared by analytics, checkpoint and the web player. Plain JavaScript on purpose: the
// player imports this very file in the browser (served as /player/shared/plate-vocabulary.js), Node imports
// it too, and plate-vocabulary.d.ts gives TypeScript its types.

/** Province (and region) abbreviations that start a mainland plate. */
export const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';

/** Characters that start a plate in place of a province: embassy (使) and consulate (领) plates. */
export const SPECIAL_PREFIXES = '使领';

/** Suffixes that replace the last serial character on special-use plates. */
export const SPECIAL_SUFFIXES = '警学港澳使领挂试超';

/** Plate colours a pass may carry ('unknown' when neither the format nor the classifier decided). */
export const PLATE_COLOURS = Object.freeze(['blue', 'yellow', 'green', 'white', 'black', 'yellow_green', 'unknown']);
