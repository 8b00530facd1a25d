/** Events of the analytics pipeline: the motion gate saw motion on a camera (throttled per camera). */

declare module '../../api/kernel/events/hub-events.ts' {
  interface HubEventMap {
    'analytics.motion': [{ cameraId: string; at: number }];
  }
}

export {};
