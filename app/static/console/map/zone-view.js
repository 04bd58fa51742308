// A read-only map of an alert's zone (the alert page: what an approver approves).
import { unwrapZone } from './geometry.js';

const ZONE_STYLE = { color: '#b91c1c', weight: 3, fillColor: '#ef4444', fillOpacity: 0.18, interactive: false };

export function showZone(L, element, zone, { tileUrl, attribution, label }) {
  const map = L.map(element, { zoomControl: true, keyboard: true, scrollWheelZoom: false, maxZoom: 19 });
  element.setAttribute('role', 'region');
  element.setAttribute('aria-label', label);
  map.attributionControl.setPrefix('Leaflet');
  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: attribution || '', maxZoom: 19, referrerPolicy: 'strict-origin' }).addTo(map);
  }
  const g = unwrapZone(zone);
  let layer;
  if (g.type === 'Circle') {
    // a circle's bounds need a map with a view: start there
    map.setView([g.center[1], g.center[0]], 14);
    layer = L.circle([g.center[1], g.center[0]], { radius: g.radius_m, ...ZONE_STYLE });
  } else {
    const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
    layer = L.polygon(polygons.map((rings) => rings.map((ring) => ring.map(([lon, lat]) => [lat, lon]))), ZONE_STYLE);
  }
  layer.addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 16 });
  // the container may still be settling into the page's layout: measure again once it has
  setTimeout(() => {
    map.invalidateSize();
    map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 16 });
  }, 100);
  return map;
}
