// Leaflet (vendored, loaded on the pages that show a map), the tile layer the server is set up
// with, and the shapes the app draws: alert zones and the person's places.
import { loadLeaflet as load } from '../../../static/core/assets.js';
import { t } from './i18n.js';

const FRANCE = [[41.3, -5.2], [51.1, 9.6]];
// the app only shows zones and places: Leaflet without the drawing tools, before app.css
const loadLeaflet = () => load({ before: 'app.css' });

// The server writes its tile settings into the page; a page without them (a server that does
// not, or the file opened as is) still draws zones and places on a plain background.
export function tileSettings() {
  const data = document.documentElement.dataset;
  const url = data.tileUrl && !data.tileUrl.startsWith('{{') ? data.tileUrl : '';
  const attribution = data.tileAttribution && !data.tileAttribution.startsWith('{{') ? data.tileAttribution : '';
  return { url, attribution };
}

export async function createMap(element, { label, interactive = true } = {}) {
  const L = await loadLeaflet();
  element.replaceChildren();
  const map = L.map(element, {
    zoomControl: interactive,
    dragging: interactive,
    scrollWheelZoom: false, // a page that scrolls must not get stuck zooming the map
    doubleClickZoom: interactive,
    touchZoom: interactive,
    keyboard: interactive,
    attributionControl: true,
  });
  map.attributionControl.setPrefix(false);
  const tiles = tileSettings();
  if (tiles.url) {
    L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19, referrerPolicy: 'strict-origin' }).addTo(map);
  } else {
    element.classList.add('map-no-tiles');
    map.attributionControl.addAttribution(t('map.noTiles'));
  }
  element.setAttribute('role', 'region');
  element.setAttribute('aria-label', label || t('map.label'));
  map.fitBounds(FRANCE);
  window.tocsinMap = map; // for browser tests: where things are on screen
  return { L, map };
}

const SEVERITY_COLOURS = { Extreme: '#991b1b', Severe: '#c2410c', Moderate: '#a16207', Minor: '#1d4ed8', Unknown: '#4b5563' };

export function zoneLayer(L, zone, severity = 'Unknown') {
  const colour = SEVERITY_COLOURS[severity] || SEVERITY_COLOURS.Unknown;
  const style = { color: colour, weight: 3, fillColor: colour, fillOpacity: 0.18 };
  const shape = zone && zone.type === 'Feature' ? zone.geometry : zone;
  if (!shape) return null;
  if (shape.type === 'Circle') {
    return L.circle([shape.center[1], shape.center[0]], { radius: shape.radius_m, ...style });
  }
  if (shape.type === 'Polygon' || shape.type === 'MultiPolygon') return L.geoJSON(shape, { style });
  return null;
}

export function placeMarker(L, place) {
  const icon = L.divIcon({
    className: `place-pin place-pin-${place.kind}`,
    html: '',
    // a dot centred on the place: no pin tip to misjudge
    iconSize: [24, 24],
    iconAnchor: [12, 12],
  });
  const marker = L.marker([place.lat, place.lon], { icon, keyboard: false, title: t(`place.kind.${place.kind}`) });
  marker.bindTooltip(t(`place.kind.${place.kind}`), { permanent: true, direction: 'top', offset: [0, -12], className: 'place-label' });
  return marker;
}

// [[s, w], [n, e]] from the API's [w, s, e, n]
export function boundsOf(bbox) {
  return bbox ? [[bbox[1], bbox[0]], [bbox[3], bbox[2]]] : null;
}
