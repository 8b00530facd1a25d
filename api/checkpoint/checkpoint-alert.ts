/** A watchlist hit as the API, the SSE stream and the webhook carry it; only its owner department (and admins) see it. */
export interface CheckpointAlert {
  id: string;
  watchlistId: string;
  /** The watchlist's department: the only one the alert and its confidential reason go to. */
  ownerDepartmentId: string;
  reason: string;
  passId: string;
  plate: string;
  cameraId: string;
  passedAt: number;
  raisedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  ackNote: string | null;
}

/** A cloned-plate (套牌) finding as events carry it. */
export interface CheckpointFindingEvent {
  id: string;
  kind: 'impossible_speed' | 'colour_mismatch';
  plate: string;
  passAId: string;
  passBId: string;
  detectedAt: number;
}
