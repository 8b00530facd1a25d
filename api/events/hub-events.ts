import { EventEmitter } from 'node:events';
import type { CameraStatus } from '../db/tables/index.ts';

/**
 * In-process events between features. Each feature adds the events it publishes here, with a payload
 * type; consumers subscribe through HubContext.events.
 */
export interface HubEventMap {
  'camera.status': [{ cameraId: string; status: CameraStatus; previous: CameraStatus; at: number; reason?: string }];
  'camera.changed': [{ cameraId: string; change: 'created' | 'updated' | 'deleted' }];
  /**
   * Access feature (api/access/grant-service.ts). grantId is the CameraAccessDecision.grantId a session was
   * authorised by; `at` is epoch ms. revoked: emitted right after the revocation is stored (owner approver,
   * admin, or an emergency review). expired: emitted by the expiry sweep (every access.expirySweepSeconds)
   * once per grant, with at = the grant's ends_at; revoked grants are not announced again. Consumers (relay)
   * end every live session whose grantId matches; access already stops at ends_at in authorizeCamera.
   */
  'grant.revoked': [{ grantId: string; granteeDepartmentId: string; ownerDepartmentId: string; at: number }];
  'grant.expired': [{ grantId: string; granteeDepartmentId: string; ownerDepartmentId: string; at: number }];
  /** After an approval or an emergency self-grant is stored; at = created_at. */
  'grant.created': [{ grantId: string; granteeDepartmentId: string; ownerDepartmentId: string; at: number }];
  'checkpoint.alert': [import('../checkpoint/checkpoint-alert.ts').CheckpointAlert];
  'checkpoint.finding': [import('../checkpoint/checkpoint-alert.ts').CheckpointFindingEvent];
  'crowd.alert': [import('../../analytics/crowd/crowd-alert.ts').CrowdAlertEvent];
}

export class HubEvents extends EventEmitter<HubEventMap> {
  constructor() {
    super({ captureRejections: true });
    // Many SSE clients may subscribe at once.
    this.setMaxListeners(10_000);
  }
}
