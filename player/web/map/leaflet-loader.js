// Leaflet and its marker clusters are UMD files served by the hub under /player/vendor/ (no CDN: the city
// intranet and the demo machine have no internet). Loaded once, on the first page that shows a map.
let loading = null;

function addScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

/** Adds a stylesheet of the player once (pages bring their own CSS without touching index.html). */
export function ensureStylesheet(href) {
  if (document.querySelector(`link[rel=stylesheet][href="${href}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.append(link);
}

/** window.L with markerClusterGroup, loaded on first use. */
export function loadLeaflet() {
  ensureStylesheet('/player/vendor/leaflet.css');
  ensureStylesheet('/player/vendor/MarkerCluster.css');
  ensureStylesheet('/player/vendor/MarkerCluster.Default.css');
  ensureStylesheet('/player/map/map.css');
  loading ??= (async () => {
    if (!window.L) await addScript('/player/vendor/leaflet.js');
    if (!window.L.markerClusterGroup) await addScript('/player/vendor/leaflet.markercluster.js');
    return window.L;
  })().catch((error) => { loading = null; throw error; });
  return loading;
}
