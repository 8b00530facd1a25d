/** Events of the access workflow (grant-service.ts). */

declare module '../../api/kernel/events/hub-events.ts' {
  interface HubEventMap {
    /**
     * grantId is the CameraAccessDecision.grantId a session was authorised by; `at` is epoch ms. revoked: emitted
     * right after the revocation is stored (owner approver, admin, or an emergency review). expired: emitted by
     * the expiry sweep (every access.expirySweepSeconds) once per grant, with at = the grant's ends_at; revoked
     * grants are not announced again. Consumers (relay) end every live session whose grantId matches; access
     * already stops at ends_at in authorizeCamera.
     */
    'grant.revoked': [{ grantId: string; granteeDepartmentId: string; ownerDepartmentId: string; at: number }];
    'grant.expired': [{ grantId: string; granteeDepartmentId: string; ownerDepartmentId: string; at: number }];
    /** After an approval or an emergency self-grant is stored; at = created_at. */
    'grant.created': [{ grantId: string; granteeDepartmentId: string; ownerDepartmentId: string; at: number }];
  }
}
