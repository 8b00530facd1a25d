/** Payload of the `crowd.alert` hub event: a zone stayed above its threshold for its duration. */
export interface CrowdAlertEvent {
  id: string;
  cameraId: string;
  zoneId: string;
  /** When the count first went above the threshold. */
  startedAt: number;
  raisedAt: number;
  threshold: number;
  count: number;
}
