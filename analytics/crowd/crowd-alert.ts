import type { CrowdAlertRaised } from './crowd-monitor.ts';

/** Payload of the `crowd.alert` hub event: a zone stayed above its threshold for its duration. */
export interface CrowdAlertEvent extends CrowdAlertRaised {
  /** The stored alert's id. */
  id: string;
}
