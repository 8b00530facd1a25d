import type { CameraStatus } from '../../api/kernel/db/tables/index.ts';

/** Events of the camera registry: a camera's status changed (CameraSupervisor), or its row was created, edited or removed. */

declare module '../../api/kernel/events/hub-events.ts' {
  interface HubEventMap {
    'camera.status': [{ cameraId: string; status: CameraStatus; previous: CameraStatus; at: number; reason?: string }];
    'camera.changed': [{ cameraId: string; change: 'created' | 'updated' | 'deleted' }];
  }
}
