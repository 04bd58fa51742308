// Zone shapes as the API takes them, and the figures the confirmation restates.
const EARTH_RADIUS_M = 6371008.8;

const round6 = (x) => Math.round(x * 1e6) / 1e6;

export function circleZone(centre, radius) {
  return { type: 'Circle', center: [round6(centre.lng), round6(centre.lat)], radius_m: Math.round(radius) };
}

// Area of a lon/lat ring on the sphere (m²): good to a fraction of a percent at a town's scale.
function ringArea(ring) {
  let total = 0;
  for (let i = 0; i < ring.length - 1; i += 1) {
    const [lon1, lat1] = ring[i];
    const [lon2, lat2] = ring[i + 1];
    total += ((lon2 - lon1) * Math.PI / 180) * (2 + Math.sin(lat1 * Math.PI / 180) + Math.sin(lat2 * Math.PI / 180));
  }
  return Math.abs(total * EARTH_RADIUS_M * EARTH_RADIUS_M / 2);
}

function polygonArea(rings) {
  return rings.reduce((sum, ring, i) => sum + (i === 0 ? ringArea(ring) : -ringArea(ring)), 0);
}

export function zoneArea(zone) {
  if (!zone) return 0;
  if (zone.type === 'Circle') return Math.PI * zone.radius_m * zone.radius_m;
  if (zone.type === 'Polygon') return polygonArea(zone.coordinates);
  if (zone.type === 'MultiPolygon') return zone.coordinates.reduce((s, p) => s + polygonArea(p), 0);
  return 0;
}

export function vertexCount(zone) {
  if (!zone) return 0;
  const polygons = zone.type === 'Polygon' ? [zone.coordinates] : zone.type === 'MultiPolygon' ? zone.coordinates : [];
  // the ring repeats its first point at the end
  return polygons.reduce((n, rings) => n + Math.max(0, rings[0].length - 1), 0);
}

export function unwrapZone(zone) {
  if (zone && zone.type === 'Feature') return zone.geometry;
  return zone;
}
