// The full page of one alert, as the public page and the app both show it: what, who, how
// serious, since and until when, where (the zone on a map when it is known).
import { h } from '../../../static/core/dom.js';
import { formatWhen, t } from '../core/i18n.js';
import { createMap, zoneLayer } from '../core/map.js';
import { notice, severityBadge } from '../core/ui.js';
import { stationName } from './alert-card.js';
import { isActive, isExercise, stateBadges, storyNotices, storyState } from './story.js';

// `link(id)`: the address of another message of the same story (the update or the cancel).
export function alertView(alert, { link = (id) => `/alerts/${encodeURIComponent(id)}` } = {}) {
  const active = isActive(alert);
  const state = storyState(alert);
  const mapBox = h('div', { class: 'map map-alert', id: 'alert-map' });
  const zone = alert.zone && (alert.zone.type === 'Feature' ? alert.zone.geometry : alert.zone);
  const classes = ['alert-page', `severity-${(alert.severity || 'Unknown').toLowerCase()}`, `is-${state}`];
  if (isExercise(alert)) classes.push('is-exercise');
  const element = h('article', { class: classes.join(' '), dataset: { alert: alert.id, state } },
    h('div', { class: 'alert-page-badges' }, alert.msg_type === 'Cancel' ? null : severityBadge(alert.severity), ...stateBadges(alert)),
    ...storyNotices(alert, link),
    h('h1', { tabindex: '-1', class: 'alert-title' }, alert.title),
    h('p', { class: 'alert-station' }, t('alert.from', { station: stationName(alert) })),
    h('p', { class: 'alert-body' }, alert.body || ''),
    h('dl', { class: 'alert-facts' },
      h('dt', {}, t('alert.severity')), h('dd', {}, t(`severity.explain.${alert.severity || 'Unknown'}`)),
      alert.category ? [h('dt', {}, t('alert.category')), h('dd', {}, t(`category.${alert.category}`))] : null,
      h('dt', {}, t('alert.sent')), h('dd', {}, formatWhen(alert.sent)),
      h('dt', {}, t(active ? 'alert.until' : state === 'ended' ? 'alert.endedAt' : 'alert.plannedUntil')), h('dd', {}, formatWhen(alert.expires))),
    h('h2', {}, t('alert.zone')),
    zone ? mapBox : h('p', { class: 'muted' }, alert.zone === undefined ? t('alert.zoneUnknown') : t('alert.noZone')));

  async function drawMap() {
    if (!zone) return null;
    try {
      const { L, map } = await createMap(mapBox, { label: t('alert.mapLabel', { title: alert.title }) });
      const layer = zoneLayer(L, zone, alert.severity);
      if (layer) {
        layer.addTo(map);
        map.fitBounds(layer.getBounds(), { padding: [16, 16] });
      }
      return map;
    } catch (err) {
      console.warn(err);
      mapBox.replaceWith(notice('info', t('map.failed')));
      return null;
    }
  }
  return { element, drawMap };
}
