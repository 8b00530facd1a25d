import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { addCamera, startAccessHub } from './access-fixture.ts';

describeEachDatabase('approval atomicity', (kind) => {
  let t: TestHub;
  beforeAll(async () => { t = await startAccessHub(kind); });
  afterAll(async () => { await t?.stop(); });

  it('a grant that fails to be stored leaves the request pending and announces nothing', async () => {
    const cameraId = await addCamera(t, { departmentId: t.departments.ps });
    const created = await t.api('/api/v1/access/requests', {
      user: t.users.trafficViewer,
      body: { ownerDepartmentId: t.departments.ps, targetKind: 'cameras', cameraIds: [cameraId], scopes: ['live'], purpose: 'incident follow-up', legalBasis: 'Police Law art. 6', endsAt: Date.now() + 3_600_000 },
    });
    expect(created.status).toBe(201);
    const grants = t.hub.services.access!.grants;
    // Error path only: the grant insert fails after the request was marked approved in the same transaction.
    const failing = vi.spyOn(grants, 'create').mockImplementationOnce(async () => { throw new Error('disk full'); });
    const announced = vi.fn();
    t.hub.ctx.events.on('grant.created', announced);
    const approved = await t.api(`/api/v1/access/requests/${created.body.id}/approve`, { user: t.users.psApprover, body: {} });
    expect(approved.status).toBe(500);
    failing.mockRestore();
    const row = await t.hub.ctx.db.selectFrom('access_requests').select(['status', 'decided_by']).where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'pending', decided_by: null });
    expect(announced).not.toHaveBeenCalled();
    const retry = await t.api(`/api/v1/access/requests/${created.body.id}/approve`, { user: t.users.psApprover, body: {} });
    expect(retry.status).toBe(200);
    expect(announced).toHaveBeenCalledTimes(1);
  });
});
