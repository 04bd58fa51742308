// One alert in a list: severity, where its story stands (current, updated, cancelled, over; an
// exercise), title (the link to its page), station, when.
import { h } from '../../../static/core/dom.js';
import { formatWhen, t } from '../core/i18n.js';
import { severityBadge } from '../core/ui.js';
import { isActive, isExercise, stateBadges, storyState } from './story.js';

export { isActive };

export function stationName(alert) {
  return typeof alert.station === 'string' ? alert.station : (alert.station && alert.station.name) || '';
}

export function alertCard(alert, { href = `#/alert/${encodeURIComponent(alert.id)}`, headingLevel = 'h3' } = {}) {
  const state = storyState(alert);
  const classes = ['alert-card', `severity-${(alert.severity || 'Unknown').toLowerCase()}`, `is-${state}`];
  if (isExercise(alert)) classes.push('is-exercise');
  return h('li', { class: classes.join(' '), dataset: { alert: alert.id, state } },
    h('div', { class: 'alert-card-top' }, alert.msg_type === 'Cancel' ? null : severityBadge(alert.severity), ...stateBadges(alert)),
    h(headingLevel, { class: 'alert-card-title' }, h('a', { href }, alert.title)),
    h('p', { class: 'alert-card-meta' }, [stationName(alert), t('alert.sentWhen', { when: formatWhen(alert.sent) })].filter(Boolean).join(' · ')),
    alert.body ? h('p', { class: 'alert-card-body' }, alert.body) : null);
}
