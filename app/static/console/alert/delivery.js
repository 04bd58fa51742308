// How the delivery goes: a progress bar, the devices by delivery status and by channel.
import { h, clear } from '../../core/dom.js';
import { formatCount, formatNumber, t } from '../core/i18n.js';
import { CHANNELS, DELIVERY_STATUSES } from '../../core/vocab.js';
import { FINAL } from './states.js';

// the table's rows: sent first, then the others in the vocabulary's order
const STATUS_ROWS = ['sent', ...DELIVERY_STATUSES.filter((s) => s !== 'sent')];

const asNumber = (v) => (typeof v === 'number' ? v : 0);

function percent(part, whole) {
  return whole > 0 ? Math.floor((100 * part) / whole) : 0;
}

function table(id, title, headings, body) {
  return h('section', { class: 'card', 'aria-labelledby': id },
    h('h2', { id }, title),
    h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, headings.map(([label, num]) => h('th', { scope: 'col', class: num ? 'num' : null }, label)))),
      body));
}

function statusRows(byStatus) {
  return STATUS_ROWS.filter((s) => s in byStatus || s === 'sent' || s === 'pending')
    .map((s) => h('tr', { dataset: { status: s } },
      h('th', { scope: 'row' }, t(`delivery.${s}`)), h('td', { class: 'num' }, formatCount(byStatus[s] ?? 0))));
}

function channelRows(byChannel) {
  const channels = CHANNELS.filter((c) => c in byChannel);
  if (!channels.length) return h('tr', {}, h('td', { colspan: 3 }, t('live.noChannel')));
  return channels.map((c) => {
    const counts = byChannel[c];
    const channelTotal = Object.values(counts).reduce((a, b) => a + asNumber(b), 0);
    return h('tr', { dataset: { channel: c } },
      h('th', { scope: 'row' }, t(`channel.${c}`)),
      h('td', { class: 'num' }, formatCount(counts.sent ?? 0)),
      h('td', { class: 'num' }, formatNumber(channelTotal)));
  });
}

// parts: the elements to place (hidden until the alert goes out); show(alert) returns the total.
export function createDelivery() {
  const progress = h('progress', { id: 'sent-progress', max: 1, value: 0 });
  const progressText = h('p', { class: 'progress-text', id: 'sent-progress-text' });
  const statusTable = h('tbody');
  const channelTable = h('tbody');
  const connection = h('p', { class: 'notice notice-warning', role: 'status', hidden: true });
  const updated = h('p', { class: 'field-hint' });
  const liveCard = h('section', { class: 'card live', 'aria-labelledby': 'live-h' },
    h('h2', { id: 'live-h' }, t('live.progress')),
    h('label', { for: 'sent-progress', class: 'visually-hidden' }, t('live.progressLabel')),
    progress, progressText, connection, updated);
  const tables = h('div', { class: 'two-columns' },
    table('status-h', t('live.byStatus'), [[t('live.status')], [t('live.devices'), true]], statusTable),
    table('channel-h', t('live.byChannel'), [[t('live.channel')], [t('live.sent'), true], [t('live.total'), true]], channelTable));

  function show(data) {
    const d = data.deliveries || { total: 0, by_status: {}, by_channel: {} };
    const total = asNumber(d.total);
    const sent = asNumber((d.by_status || {}).sent);
    progress.max = Math.max(total, 1);
    progress.value = total ? sent : (FINAL.has(data.state) ? 1 : 0);
    progress.dataset.sent = String(sent);
    progress.dataset.total = String(total);
    progressText.textContent = total
      ? t('live.sentOf', { sent: formatNumber(sent), total: formatNumber(total), percent: percent(sent, total) })
      : (data.state === 'pending' ? t('live.searching') : t('live.nobody'));
    progressText.dataset.sent = String(sent);
    clear(statusTable, statusRows(d.by_status || {}));
    clear(channelTable, channelRows(d.by_channel || {}));
    return total;
  }

  return { parts: [liveCard, tables], show, progressText, connection, updated };
}
