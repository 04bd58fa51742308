// The live view of one alert: polls its state every second until it is complete or expired.
import { api, ApiError, loadSession } from '../core/api.js';
import { h, clear, announce } from '../core/dom.js';
import { formatCount, formatDateTime, formatNumber, t } from '../core/i18n.js';
import { renderFrame } from '../core/layout.js';
import { CHANNELS, DELIVERY_STATUSES } from '../core/vocab.js';

const POLL_MS = 1000;
const MAX_BACKOFF_MS = 5000;
const FINAL = new Set(['complete', 'expired']);

const asNumber = (v) => (typeof v === 'number' ? v : 0);

function percent(part, whole) {
  return whole > 0 ? Math.floor((100 * part) / whole) : 0;
}

export function severityBadge(severity) {
  return h('span', { class: `badge severity-${severity}` }, t(`severity.short.${severity}`));
}

export function stateBadge(state) {
  return h('span', { class: `badge state-${state}`, dataset: { state } }, t(`state.${state}`));
}

export async function render(ctx) {
  const session = await loadSession();
  let alert = await api('GET', `/api/v1/alerts/${encodeURIComponent(ctx.alert)}`);
  const station = (session.stations || []).find((s) => s.slug === alert.station) || null;
  const main = renderFrame({ session, station, active: null, title: alert.title });

  const stateLine = h('p', { class: 'live-state' });
  const progress = h('progress', { id: 'sent-progress', max: 1, value: 0 });
  const progressText = h('p', { class: 'progress-text', id: 'sent-progress-text' });
  const statusTable = h('tbody');
  const channelTable = h('tbody');
  const connection = h('p', { class: 'notice notice-warning', role: 'status', hidden: true });
  const updated = h('p', { class: 'field-hint' });
  const summary = h('dl', { class: 'summary summary-inline' });

  main.append(
    h('div', { class: 'page-heading' },
      h('h1', {}, alert.title),
      h('p', { class: 'badges' }, severityBadge(alert.severity), ' ', h('span', { class: 'badge' }, t(`category.${alert.category}`)))),
    summary,
    h('section', { class: 'card live', 'aria-labelledby': 'live-h' },
      h('h2', { id: 'live-h' }, t('live.progress')),
      stateLine,
      h('label', { for: 'sent-progress', class: 'visually-hidden' }, t('live.progressLabel')),
      progress, progressText, connection, updated),
    h('div', { class: 'two-columns' },
      h('section', { class: 'card', 'aria-labelledby': 'status-h' },
        h('h2', { id: 'status-h' }, t('live.byStatus')),
        h('table', { class: 'table' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('live.status')), h('th', { scope: 'col', class: 'num' }, t('live.devices')))),
          statusTable)),
      h('section', { class: 'card', 'aria-labelledby': 'channel-h' },
        h('h2', { id: 'channel-h' }, t('live.byChannel')),
        h('table', { class: 'table' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, t('live.channel')),
            h('th', { scope: 'col', class: 'num' }, t('live.sent')),
            h('th', { scope: 'col', class: 'num' }, t('live.total')))),
          channelTable))),
    station ? h('p', { class: 'actions' },
      h('a', { class: 'button', href: `/console/stations/${encodeURIComponent(station.slug)}` }, t('live.another')),
      h('a', { class: 'button button-quiet', href: `/console/stations/${encodeURIComponent(station.slug)}/alerts` }, t('nav.history'))) : null);

  let lastState = null;

  function show(data) {
    const d = data.deliveries || { total: 0, by_status: {}, by_channel: {} };
    const total = asNumber(d.total);
    const sent = asNumber((d.by_status || {}).sent);
    clear(summary,
      h('dt', {}, t('live.created')), h('dd', {}, formatDateTime(data.created_at)),
      h('dt', {}, t('live.expires')), h('dd', {}, formatDateTime(data.expires_at)),
      h('dt', {}, t('live.audience')), h('dd', {}, t(`audience.short.${data.audience || 'followers'}`)));
    clear(stateLine, stateBadge(data.state), ' ', t(`state.explain.${data.state}`, { count: total }));
    progress.max = Math.max(total, 1);
    progress.value = total ? sent : (FINAL.has(data.state) ? 1 : 0);
    progress.dataset.sent = String(sent);
    progress.dataset.total = String(total);
    progressText.textContent = total
      ? t('live.sentOf', { sent: formatNumber(sent), total: formatNumber(total), percent: percent(sent, total) })
      : (data.state === 'pending' ? t('live.searching') : t('live.nobody'));
    progressText.dataset.sent = String(sent);
    clear(statusTable, DELIVERY_STATUSES.filter((s) => s in (d.by_status || {}) || s === 'sent' || s === 'pending')
      .map((s) => h('tr', { dataset: { status: s } },
        h('th', { scope: 'row' }, t(`delivery.${s}`)), h('td', { class: 'num' }, formatCount((d.by_status || {})[s] ?? 0)))));
    const byChannel = d.by_channel || {};
    const channels = CHANNELS.filter((c) => c in byChannel);
    clear(channelTable, channels.length
      ? channels.map((c) => {
        const counts = byChannel[c];
        const channelTotal = Object.values(counts).reduce((a, b) => a + asNumber(b), 0);
        return h('tr', { dataset: { channel: c } },
          h('th', { scope: 'row' }, t(`channel.${c}`)),
          h('td', { class: 'num' }, formatCount(counts.sent ?? 0)),
          h('td', { class: 'num' }, formatNumber(channelTotal)));
      })
      : h('tr', {}, h('td', { colspan: 3 }, t('live.noChannel'))));
    updated.textContent = t('live.updated', { time: new Date().toLocaleTimeString(document.documentElement.lang) });
    main.dataset.state = data.state;
    if (data.state !== lastState) {
      if (lastState !== null || FINAL.has(data.state)) {
        announce(`${t(`state.${data.state}`)}. ${progressText.textContent}`);
      }
      lastState = data.state;
    }
  }

  show(alert);
  let delay = POLL_MS;
  async function poll() {
    if (FINAL.has(alert.state)) return;
    try {
      alert = await api('GET', `/api/v1/alerts/${encodeURIComponent(ctx.alert)}`);
      connection.hidden = true;
      delay = POLL_MS;
      show(alert);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      connection.textContent = t('live.connectionLost');
      connection.hidden = false;
      delay = Math.min(MAX_BACKOFF_MS, delay * 2);
    }
    if (!FINAL.has(alert.state)) setTimeout(poll, delay);
  }
  setTimeout(poll, POLL_MS);
}
