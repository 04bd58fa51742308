// The map of the station's territory and the one zone being drawn on it (circle or polygon).
// Reports every change of the zone through onChange(zone | null) and live radii through onRadius.
import { drawCircle } from './circle-draw.js';
import { circleZone, unwrapZone } from './geometry.js';
import { RADIUS_MAX, RADIUS_MIN } from '../../core/vocab.js';

const ZONE_STYLE = { color: '#b91c1c', weight: 3, fillColor: '#ef4444', fillOpacity: 0.18 };
const TERRITORY_STYLE = { color: '#1e3a8a', weight: 2.5, dashArray: '8 6', fill: false, interactive: false };
const OUTSIDE_STYLE = { stroke: false, fillColor: '#1f2937', fillOpacity: 0.28, interactive: false };
const EDIT_OPTIONS = {
  minRadiusCircle: RADIUS_MIN, maxRadiusCircle: RADIUS_MAX, snappable: false,
  allowSelfIntersection: false, draggable: true,
};
const WORLD = [[-89.9, -179.9], [89.9, -179.9], [89.9, 179.9], [-89.9, 179.9]];

function outerRings(geometry) {
  const g = unwrapZone(geometry);
  if (!g) return [];
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
  return polygons.map((rings) => rings[0].map(([lon, lat]) => [lat, lon]));
}

export class ZoneEditor {
  constructor(L, element, { territory, tileUrl, attribution, lang, mapLabel, onChange, onRadius, onMode }) {
    this.L = L;
    this.onChange = onChange;
    this.onRadius = onRadius;
    this.onMode = onMode;
    this.shape = null; // {kind: 'circle'|'polygon', layer}
    this.mode = null; // 'circle' | 'polygon' while drawing
    this.circleDraw = null;

    const map = L.map(element, { zoomControl: true, keyboard: true, zoomSnap: 0.25, minZoom: 5, maxZoom: 19 });
    this.map = map;
    element.setAttribute('aria-label', mapLabel);
    element.setAttribute('role', 'region');
    map.attributionControl.setPrefix('Leaflet');
    if (tileUrl) {
      // a tile that fails (no network, server down) stays blank: the boundary and zone still show
      // tile providers such as OpenStreetMap ask for a Referer; the page's own policy sends none,
      // so tiles get the origin alone (never a path)
      L.tileLayer(tileUrl, { attribution: attribution || '', maxZoom: 19, referrerPolicy: 'strict-origin' }).addTo(map);
    }
    this.drawTerritory(territory);

    map.pm.setLang(lang === 'en' ? 'en' : 'fr');
    map.pm.setGlobalOptions({
      snappable: false, allowSelfIntersection: false, tooltips: true,
      exitModeOnEscape: true, finishOnEnter: true,
      pathOptions: ZONE_STYLE, templineStyle: { color: ZONE_STYLE.color },
      hintlineStyle: { color: ZONE_STYLE.color, dashArray: '5 5' },
    });
    map.on('pm:create', (event) => this.created(event));
    map.on('pm:drawend', () => {
      if (this.mode !== 'polygon') return;
      // a habitual double-click must not zoom while corners are being placed
      map.doubleClickZoom.enable();
      this.setMode(null);
    });
  }

  drawTerritory(territory) {
    const L = this.L;
    const rings = outerRings(territory);
    if (!rings.length) {
      this.map.setView([46.6, 2.4], 6);
      return;
    }
    // greyed outside, so that the commune's limits read at a glance
    L.polygon([WORLD, ...rings], OUTSIDE_STYLE).addTo(this.map);
    this.territoryLayer = L.geoJSON(unwrapZone(territory), { style: TERRITORY_STYLE, interactive: false }).addTo(this.map);
    this.fitTerritory();
  }

  fitTerritory() {
    if (this.territoryLayer) this.map.fitBounds(this.territoryLayer.getBounds(), { padding: [16, 16] });
  }

  setMode(mode) {
    this.mode = mode;
    this.onMode?.(mode);
  }

  cancelDrawing() {
    if (this.circleDraw) {
      const drawing = this.circleDraw;
      this.circleDraw = null;
      drawing.cancel();
    }
    if (this.map.pm.globalDrawModeEnabled()) this.map.pm.disableDraw();
    this.setMode(null);
  }

  startCircle() {
    this.cancelDrawing();
    this.setMode('circle');
    this.circleDraw = drawCircle(this.L, this.map, {
      min: RADIUS_MIN, max: RADIUS_MAX, style: ZONE_STYLE,
      onRadius: (r) => this.onRadius?.(r),
      onDone: (result) => {
        this.circleDraw = null;
        this.setMode(null);
        if (result) this.setCircle(result.centre, result.radius);
      },
    });
  }

  startPolygon() {
    this.cancelDrawing();
    this.setMode('polygon');
    this.map.doubleClickZoom.disable();
    this.map.pm.enableDraw('Polygon', { finishOn: null, continueDrawing: false });
  }

  finishPolygon() {
    const draw = this.map.pm.Draw.Polygon;
    if (draw.enabled()) draw._finishShape(); // what Geoman's own "Finish" button calls
  }

  created(event) {
    if (event.shape !== 'Polygon') return;
    this.replaceShape({ kind: 'polygon', layer: event.layer });
  }

  replaceShape(shape) {
    if (this.shape) {
      this.shape.layer.pm?.disable();
      this.shape.layer.remove();
    }
    this.shape = shape;
    if (shape) {
      const { layer } = shape;
      if (!this.map.hasLayer(layer)) layer.addTo(this.map);
      layer.pm.enable(EDIT_OPTIONS);
      const changed = () => this.changed();
      layer.on('pm:change', () => {
        if (shape.kind === 'circle') this.onRadius?.(layer.getRadius());
        changed();
      });
      layer.on('pm:edit pm:vertexremoved pm:dragend', changed);
    }
    this.changed();
  }

  setCircle(centre, radius) {
    const L = this.L;
    this.replaceShape({ kind: 'circle', layer: L.circle(centre, { ...ZONE_STYLE, radius }) });
    this.onRadius?.(radius);
  }

  circleAtCentre(radius) {
    this.cancelDrawing();
    this.setCircle(this.map.getCenter(), radius);
  }

  // The radius typed in metres: clamped, then the edit handles are rebuilt around the new edge.
  setRadius(radius) {
    if (!this.shape || this.shape.kind !== 'circle') return;
    const r = Math.min(RADIUS_MAX, Math.max(RADIUS_MIN, radius));
    const { layer } = this.shape;
    layer.pm.disable();
    layer.setRadius(r);
    layer.pm.enable(EDIT_OPTIONS);
    this.changed();
  }

  loadZone(zone) {
    const L = this.L;
    const g = unwrapZone(zone);
    if (!g) return;
    if (g.type === 'Circle') {
      this.setCircle(L.latLng(g.center[1], g.center[0]), g.radius_m);
    } else {
      const latlngs = g.type === 'Polygon'
        ? g.coordinates.map((ring) => ring.map(([lon, lat]) => [lat, lon]))
        : g.coordinates.map((p) => p.map((ring) => ring.map(([lon, lat]) => [lat, lon])));
      this.replaceShape({ kind: 'polygon', layer: L.polygon(latlngs, ZONE_STYLE) });
    }
    this.showZone();
  }

  showZone() {
    if (this.shape) this.map.fitBounds(this.shape.layer.getBounds(), { padding: [40, 40], maxZoom: 16 });
  }

  clear() {
    this.cancelDrawing();
    this.replaceShape(null);
  }

  zone() {
    if (!this.shape) return null;
    const { kind, layer } = this.shape;
    if (kind === 'circle') return circleZone(layer.getLatLng(), layer.getRadius());
    return layer.toGeoJSON(6).geometry;
  }

  changed() {
    this.onChange?.(this.zone());
  }

  invalidateSize() {
    this.map.invalidateSize();
  }
}
