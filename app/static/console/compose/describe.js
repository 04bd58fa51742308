// A zone in words, for the panel and the confirmation dialog.
import { formatNumber, t } from '../core/i18n.js';
import { vertexCount, zoneArea } from '../map/geometry.js';

function area(zone) {
  const km2 = zoneArea(zone) / 1e6;
  return t('zone.area', { area: new Intl.NumberFormat(document.documentElement.lang, { maximumFractionDigits: 2 }).format(km2) });
}

export function describeZone(zone, savedName, optional) {
  if (!zone) return optional ? t('zone.noneOptional') : t('zone.none');
  const shape = zone.type === 'Circle'
    ? t('zone.describeCircle', { radius: formatNumber(zone.radius_m) })
    : t('zone.describePolygon', { count: vertexCount(zone) });
  const text = `${shape} · ${area(zone)}`;
  return savedName ? t('zone.describeSaved', { name: savedName, shape: text }) : text;
}
