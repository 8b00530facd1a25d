export declare const PROVINCES: string;
export declare const SPECIAL_PREFIXES: string;
export declare const SPECIAL_SUFFIXES: string;
export declare const PLATE_COLOURS: readonly ['blue', 'yellow', 'green', 'white', 'black', 'yellow_green', 'unknown'];
export type PlateColour = (typeof PLATE_COLOURS)[number];
