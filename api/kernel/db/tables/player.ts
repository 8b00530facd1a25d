/** Tables owned by the player's console routes (migration 0015_wall_layouts). */

/** A user's saved video-wall layout; camera_ids is a JSON array of camera ids in tile order. */
export interface WallLayoutsTable {
  id: string;
  user_id: string;
  name: string;
  size: 1 | 4 | 9 | 16;
  camera_ids: string;
  created_at: number;
  updated_at: number;
}

export interface PlayerTables {
  wall_layouts: WallLayoutsTable;
}
