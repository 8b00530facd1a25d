// A plate's trajectory (GET /api/v1/checkpoint/trajectory, GeoJSON) as the points the map draws.
import { api } from '../api.js';

export async function loadTrajectory(plate, { from, to } = {}) {
  const params = new URLSearchParams({ plate });
  if (from) params.set('from', from);
  if (to) params.set('to', to);
  const collection = await api(`/api/v1/checkpoint/trajectory?${params}`);
  return pointsOf(collection.features);
}

/** The passes among the trajectory's GeoJSON features, as numbered points with their time and camera. */
export function pointsOf(features) {
  return features.filter((f) => f.properties.passId !== undefined).map((f) => ({
    order: f.properties.sequence + 1, passedAt: f.properties.passedAt, cameraId: f.properties.cameraId,
    label: f.properties.cameraName ?? f.properties.cameraId, lon: f.geometry?.coordinates?.[0], lat: f.geometry?.coordinates?.[1],
  }));
}
