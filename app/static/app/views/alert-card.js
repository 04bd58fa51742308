// One alert in a list: severity, title (the link to its page), station, when.
import { h } from '/static/console/core/dom.js';
import { formatWhen, t } from '../core/i18n.js';
import { severityBadge } from '../core/ui.js';

export function isActive(alert) {
  if (alert.active === false) return false;
  return !alert.expires || Date.parse(alert.expires) > Date.now();
}

export function stationName(alert) {
  return typeof alert.station === 'string' ? alert.station : (alert.station && alert.station.name) || '';
}

export function alertCard(alert, { href = `#/alert/${encodeURIComponent(alert.id)}`, headingLevel = 'h3' } = {}) {
  const active = isActive(alert);
  return h('li', { class: `alert-card severity-${(alert.severity || 'Unknown').toLowerCase()}`, dataset: { alert: alert.id } },
    h('div', { class: 'alert-card-top' }, severityBadge(alert.severity),
      active ? h('span', { class: 'badge badge-active' }, t('alert.active')) : h('span', { class: 'badge badge-ended' }, t('alert.ended'))),
    h(headingLevel, { class: 'alert-card-title' }, h('a', { href }, alert.title)),
    h('p', { class: 'alert-card-meta' }, [stationName(alert), t('alert.sentWhen', { when: formatWhen(alert.sent) })].filter(Boolean).join(' · ')),
    alert.body ? h('p', { class: 'alert-card-body' }, alert.body) : null);
}
