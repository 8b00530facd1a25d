import { Type } from '@sinclair/typebox';

/** Settings of the video wall's saved layouts and tours. */
export const WallConfigSchema = Type.Object(
  {
    maxLayoutsPerUser: Type.Integer({ minimum: 1, maximum: 1_000, default: 50, description: 'saved wall layouts one user may keep' }),
    tourMinSeconds: Type.Integer({ minimum: 3, maximum: 3_600, default: 5, description: 'shortest step of a wall tour the player offers (each step restarts the tiles\' streams)' }),
  },
  { additionalProperties: false, default: {} },
);
