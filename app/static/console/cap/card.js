// One received CAP alert: its headline and badges, sender and times, texts per language, its
// area on a small map, and what can be done with it.
// `page`: { station, mayDecide, maps, … } (see pages/cap.js).
import { h } from '../../core/dom.js';
import { formatDateTime, languageName, t } from '../core/i18n.js';
import { MSG_TYPES, SEVERITIES } from '../../core/vocab.js';
import { msgTypeBadge, severityBadge, statusBadge } from '../core/badges.js';
import { describeZone } from '../compose/describe.js';
import { alertUrl } from '../alert/states.js';
import { decisionBox } from './decision.js';
import { MODES, headlineOf, isExpired, textsOf } from './words.js';

function stateBadge(state) {
  return h('span', { class: `badge cap-state-${state}`, dataset: { state } }, t(`cap.state.${state}`));
}

function modeBadge(item) {
  const mode = MODES[item.status];
  return mode ? statusBadge(mode) : h('span', { class: 'badge' }, item.status);
}

function badges(item) {
  return h('p', { class: 'badges' }, stateBadge(item.state),
    item.status !== 'Actual' ? modeBadge(item) : null,
    item.msg_type !== 'Alert' ? (MSG_TYPES.includes(item.msg_type) ? msgTypeBadge(item.msg_type) : h('span', { class: 'badge' }, item.msg_type)) : null,
    severityBadge(SEVERITIES.includes(item.severity) ? item.severity : 'Unknown'),
    h('span', { class: 'badge' }, t(`category.${item.category}`)),
    isExpired(item) && item.state === 'received' ? h('span', { class: 'badge cap-expired' }, t('cap.expired')) : null);
}

function summary(item) {
  const sender = item.sender_name ? `${item.sender_name} (${item.sender})` : item.sender;
  return h('dl', { class: 'summary cap-summary' },
    h('dt', {}, t('cap.sender')), h('dd', { dataset: { key: 'sender' } }, sender),
    h('dt', {}, t('cap.sent')), h('dd', {}, formatDateTime(item.sent)),
    h('dt', {}, t('cap.expires')), h('dd', { dataset: { key: 'expires' } }, item.expires ? formatDateTime(item.expires) : t('cap.noExpiry')),
    h('dt', {}, t('cap.source')), h('dd', { dataset: { key: 'source' } }, t(`cap.source.${item.source}`), ' · ', formatDateTime(item.received_at)),
    h('dt', {}, t('cap.identifier')), h('dd', { class: 'cap-identifier' }, item.identifier));
}

function texts(item) {
  return textsOf(item).map(([code, text]) => h('div', { class: 'text-block', lang: code, dataset: { lang: code } },
    h('h4', {}, languageName(code)),
    h('p', { class: 'notif-title' }, text.title),
    text.body ? h('p', { class: 'text-body' }, text.body) : null));
}

export function importCard(page, item) {
  const headingId = `cap-${item.id}-h`;
  const mapElement = h('div', { class: 'zone-view cap-zone-view' });
  if (item.zone) page.maps.add(mapElement, item.zone);
  return h('article', {
    class: 'card cap-import', 'aria-labelledby': headingId,
    dataset: { import: item.id, state: item.state, status: MODES[item.status] || item.status },
  },
  h('div', { class: 'cap-import-head' }, h('h3', { id: headingId }, headlineOf(item)), badges(item)),
  h('div', { class: 'cap-import-body' },
    h('div', {}, summary(item), texts(item)),
    h('div', { class: 'cap-zone' },
      h('p', { class: 'field-hint', dataset: { key: 'zone' } }, item.zone ? describeZone(item.zone) : t('cap.noZone')),
      item.zone ? mapElement : null)),
  item.state === 'received' && page.mayDecide ? decisionBox(page, item) : null,
  item.state === 'accepted' && item.alert_id
    ? h('p', { class: 'actions' }, h('a', { class: 'button', href: alertUrl(item.alert_id), dataset: { key: 'alert-link' } }, t('cap.openAlert')))
    : null);
}
