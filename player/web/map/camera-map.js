// The map (一张图): base layer from config (tiles when the city has a map service, always the shipped vector
// outline), cameras as clustered markers, and layers on top for trajectories and alerts.
import { api } from '../api.js';
import { el } from '../dom.js';
import { formatClock, t } from '../i18n/i18n.js';
import { cameraIcon, categoryName, clusterIcon, statusName } from './camera-markers.js';
import { loadLeaflet } from './leaflet-loader.js';

const OUTLINE_STYLE = {
  river: { color: '#3f7fbf', weight: 9, opacity: 0.55 },
  expressway: { color: '#a07a3a', weight: 4, opacity: 0.8 },
  road: { color: '#6b7280', weight: 2, opacity: 0.9 },
  park: { color: '#2f6b3f', weight: 1, fillColor: '#2f6b3f', fillOpacity: 0.35 },
  'district-core': { color: '#5b6b8a', weight: 1, dashArray: '4 3', fillOpacity: 0.1 },
};
const FLASH_MS = 12_000;

/**
 * Builds the map inside `container`. `popup(camera)` returns the DOM shown when a marker is clicked. Resolves to
 * { map, L, setCameras(list), flash(cameraId), showTrajectory(points), markerOf(cameraId), destroy() }.
 */
export async function createCameraMap(container, { popup, config: given } = {}) {
  const [L, config] = await Promise.all([loadLeaflet(), given ? Promise.resolve(given) : api('/api/v1/player/map-config')]);
  const map = L.map(container, { center: [config.center.lat, config.center.lon], zoom: config.zoom, maxZoom: config.maxZoom, preferCanvas: false, zoomControl: true });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { subdomains: config.tileSubdomains || 'abc', maxZoom: config.maxZoom, attribution: config.attribution }).addTo(map);
  }
  container.classList.add('hub-map');
  container.classList.toggle('no-tiles', !config.tileUrl);
  map.attributionControl.setPrefix(false);
  try {
    const outline = await fetch(config.outlineUrl).then((r) => (r.ok ? r.json() : null));
    if (outline) {
      L.geoJSON(outline, {
        style: (feature) => OUTLINE_STYLE[feature.properties.kind] ?? OUTLINE_STYLE.road,
        pointToLayer: (feature, latlng) => L.marker(latlng, { interactive: false, keyboard: false, icon: L.divIcon({ className: 'map-label', html: '', iconSize: null }) })
          .bindTooltip(feature.properties.name, { permanent: true, direction: 'center', className: 'map-label-text' }),
        onEachFeature: (feature, layer) => { if (!(layer instanceof L.Marker)) layer.bindTooltip(feature.properties.name, { sticky: true }); },
      }).addTo(map);
      if (!config.tileUrl) map.attributionControl.addAttribution(t('map.outlineCredit'));
    }
  } catch { /* no outline: the cameras still show */ }

  const clusters = L.markerClusterGroup({ maxClusterRadius: 50, disableClusteringAtZoom: 17, showCoverageOnHover: false, iconCreateFunction: (cluster) => clusterIcon(L, cluster) });
  map.addLayer(clusters);
  const markers = new Map();
  const trajectoryLayer = L.layerGroup().addTo(map);
  const flashTimers = new Map();

  // Tests and styles find a camera's marker by its id; the icon element is replaced on every setIcon.
  const tag = (marker) => marker.getElement()?.setAttribute('data-camera-id', marker.options.camera.id);

  function setCameras(cameras, { fit = false } = {}) {
    clusters.clearLayers();
    markers.clear();
    const placed = cameras.filter((c) => Number.isFinite(c.lat) && Number.isFinite(c.lon));
    const layers = placed.map((camera) => {
      const marker = L.marker([camera.lat, camera.lon], { icon: cameraIcon(L, camera), camera, title: camera.name, alt: camera.name });
      marker.bindPopup(() => popup ? popup(camera) : el('strong', {}, camera.name), { minWidth: 200 });
      marker.bindTooltip(`${camera.name} · ${statusName(camera.status)} · ${categoryName(camera.category)}`);
      marker.on('add', () => tag(marker));
      markers.set(camera.id, marker);
      return marker;
    });
    clusters.addLayers(layers);
    if (fit && layers.length > 0) map.fitBounds(L.latLngBounds(layers.map((m) => m.getLatLng())).pad(0.15), { maxZoom: 16, animate: false });
    return placed.length;
  }

  /** Makes the camera's marker (or the cluster holding it) flash for a while: a checkpoint alert there. */
  function flash(cameraId) {
    const marker = markers.get(cameraId);
    if (!marker) return false;
    const parent = clusters.getVisibleParent(marker);
    const target = parent && parent !== marker ? parent : marker;
    const element = target.getElement?.();
    element?.classList.add('cam-alert');
    marker.getElement?.()?.classList.add('cam-alert');
    clearTimeout(flashTimers.get(cameraId));
    flashTimers.set(cameraId, setTimeout(() => {
      element?.classList.remove('cam-alert');
      marker.getElement?.()?.classList.remove('cam-alert');
    }, FLASH_MS));
    return true;
  }

  /** A plate's trajectory: numbered points joined in time order, each labelled with its time. */
  function showTrajectory(points, { fit = true } = {}) {
    trajectoryLayer.clearLayers();
    const located = points.filter((p) => Number.isFinite(p.lat) && Number.isFinite(p.lon));
    if (located.length === 0) return 0;
    const latlngs = located.map((p) => [p.lat, p.lon]);
    L.polyline(latlngs, { color: '#ffb020', weight: 4, opacity: 0.9 }).addTo(trajectoryLayer);
    located.forEach((p, i) => {
      L.circleMarker([p.lat, p.lon], { radius: 9, color: '#ffb020', fillColor: i === located.length - 1 ? '#ff5a36' : '#14171c', fillOpacity: 1, weight: 3 })
        .bindTooltip(`${p.order}. ${formatClock(p.passedAt, { seconds: true })} ${p.label}`, { permanent: true, direction: 'right', offset: [8, 0], className: 'trajectory-label' })
        .addTo(trajectoryLayer);
    });
    if (fit) map.fitBounds(L.latLngBounds(latlngs).pad(0.25), { maxZoom: 16, animate: false });
    return located.length;
  }

  /** A camera's status changed: its marker (and its cluster) take the new colour. */
  function updateCamera(camera) {
    const marker = markers.get(camera.id);
    if (!marker) return;
    marker.options.camera = camera;
    const flashing = marker.getElement()?.classList.contains('cam-alert');
    marker.setIcon(cameraIcon(L, camera));
    tag(marker);
    if (flashing) marker.getElement()?.classList.add('cam-alert');
    clusters.refreshClusters(marker);
  }

  /** Zooms in until the camera's own marker shows (out of its cluster) and opens its popup. */
  function focus(cameraId) {
    const marker = markers.get(cameraId);
    if (!marker) return false;
    map.setView(marker.getLatLng(), Math.max(map.getZoom(), 17), { animate: false });
    clusters.zoomToShowLayer(marker, () => marker.openPopup());
    return true;
  }

  return {
    map, L, setCameras, updateCamera, flash, showTrajectory, focus,
    markerOf: (cameraId) => markers.get(cameraId),
    destroy() {
      for (const timer of flashTimers.values()) clearTimeout(timer);
      map.remove();
    },
  };
}
