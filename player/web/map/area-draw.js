// Drawing an area on the map to ask for access to it: a rectangle (press and drag) or a polygon (click the
// corners, finish with a double click, a click on the first corner, or finish()). Pointer events, so a
// finger on a phone draws as a mouse does. The map does not pan while a shape is being drawn.

/** Is [lat, lon] inside the polygon (ray casting; fine at city scale)? */
export function insidePolygon(point, polygon) {
  const [y, x] = point;
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [yi, xi] = polygon[i];
    const [yj, xj] = polygon[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The smallest box around the points, as the access API's area. */
export function boxOf(points) {
  const lats = points.map((p) => p[0]);
  const lons = points.map((p) => p[1]);
  return { minLat: Math.min(...lats), minLon: Math.min(...lons), maxLat: Math.max(...lats), maxLon: Math.max(...lons) };
}

export class AreaDraw {
  constructor(L, map, onDone) {
    this.L = L;
    this.map = map;
    this.onDone = onDone;
    this.mode = null;
    this.shape = null;
    this.points = [];
    this.container = map.getContainer();
    this.handlers = {
      pointerdown: (e) => this.down(e), pointermove: (e) => this.move(e), pointerup: (e) => this.up(e), dblclick: (e) => { e.preventDefault(); e.stopPropagation(); this.finish(); },
    };
  }

  start(mode) {
    this.cancel();
    this.mode = mode;
    this.map.dragging.disable();
    this.map.doubleClickZoom.disable();
    this.container.classList.add('drawing');
    for (const [name, handler] of Object.entries(this.handlers)) this.container.addEventListener(name, handler, true);
  }

  cancel() {
    if (this.shape) this.shape.remove();
    this.shape = null;
    this.points = [];
    if (!this.mode) return;
    this.mode = null;
    this.map.dragging.enable();
    this.map.doubleClickZoom.enable();
    this.container.classList.remove('drawing');
    for (const [name, handler] of Object.entries(this.handlers)) this.container.removeEventListener(name, handler, true);
  }

  /** Clears the shape drawn last (after its request was sent or dismissed). */
  clear() {
    this.shape?.remove();
    this.shape = null;
  }

  latlng(event) {
    const ll = this.map.mouseEventToLatLng(event);
    return [ll.lat, ll.lng];
  }

  down(event) {
    if (event.target.closest?.('.leaflet-control')) return;
    event.preventDefault();
    event.stopPropagation();
    if (this.mode === 'rectangle') {
      this.points = [this.latlng(event)];
      this.container.setPointerCapture?.(event.pointerId);
    } else if (this.mode === 'polygon') {
      const point = this.latlng(event);
      const first = this.points[0];
      if (first && this.points.length >= 3) {
        const a = this.map.latLngToContainerPoint(first);
        const b = this.map.latLngToContainerPoint(point);
        if (a.distanceTo(b) < 12) return this.finish();
      }
      this.points.push(point);
      this.redraw();
    }
  }

  move(event) {
    if (this.mode !== 'rectangle' || this.points.length === 0) return;
    event.preventDefault();
    this.points[1] = this.latlng(event);
    this.redraw();
  }

  up(event) {
    if (this.mode !== 'rectangle' || this.points.length === 0) return;
    event.preventDefault();
    event.stopPropagation();
    this.points[1] = this.latlng(event);
    this.finish();
  }

  redraw() {
    const { L } = this;
    this.shape?.remove();
    const style = { color: '#ffb020', weight: 2, fillOpacity: 0.15 };
    if (this.mode === 'rectangle' && this.points.length === 2) this.shape = L.rectangle(this.points, style).addTo(this.map);
    if (this.mode === 'polygon') this.shape = (this.points.length >= 3 ? L.polygon(this.points, style) : L.polyline(this.points, style)).addTo(this.map);
  }

  finish() {
    const { mode, points } = this;
    if (!mode) return;
    const valid = mode === 'rectangle' ? points.length === 2 && (points[0][0] !== points[1][0] && points[0][1] !== points[1][1]) : points.length >= 3;
    if (!valid) return;
    const shape = this.shape;
    this.shape = null;
    this.cancel();
    this.shape = shape;
    this.onDone(mode === 'rectangle' ? { kind: 'rectangle', box: boxOf(points), points } : { kind: 'polygon', box: boxOf(points), points });
  }
}
