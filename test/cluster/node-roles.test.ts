import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeFeatures, FEATURE_NAMES, featuresForRole } from '../../api/hub/hub-services.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

/** `npm run hub -- --role …` (cluster.role): which features a node composes. */
describe('node roles', () => {
  let api: TestHub;
  let media: TestHub;

  beforeAll(async () => {
    api = await startTestHub('sqlite', { overrides: { cluster: { role: 'api' } } });
    media = await startTestHub('sqlite', { overrides: { cluster: { role: 'media' } } });
  }, 120_000);
  afterAll(async () => {
    await api?.stop();
    await media?.stop();
  });

  it('all is every feature; each role composes without a missing dependency', () => {
    expect(featuresForRole('all')).toEqual(FEATURE_NAMES);
    for (const role of ['api', 'media', 'analytics'] as const) {
      const names = composeFeatures(api.hub.ctx, featuresForRole(role)).features.map((f) => f.name);
      expect(names.length).toBe(featuresForRole(role).length);
    }
  });

  it('an api node serves the workflow and the checkpoint but pulls no camera; a media node plays but runs no checkpoint', async () => {
    expect(api.hub.features.map((f) => f.name)).toEqual([...featuresForRole('api')]);
    expect(api.hub.services.relay).toBeUndefined();
    expect(api.hub.services.analytics).toBeUndefined();
    expect((await api.api('/api/v1/access/grants', { user: api.users.psApprover })).status).toBe(200);
    expect((await api.api('/api/v1/checkpoint/passes?plate=%E4%BA%ACA12345', { user: api.users.psViewer })).status).toBe(200);
    expect((await api.api('/api/v1/cameras/x/play', { user: api.users.psViewer, body: { protocol: 'hls' } })).status).toBe(404);

    expect(media.hub.services.relay).toBeDefined();
    expect(media.hub.services.checkpoint).toBeUndefined();
    expect((await media.api('/api/v1/cameras/x/play', { user: media.users.psViewer, body: { protocol: 'hls' } })).body.code).toBe('CAMERA_NOT_FOUND');
    expect((await media.api('/api/v1/checkpoint/passes', { user: media.users.psViewer })).status).toBe(404);
  });
});
