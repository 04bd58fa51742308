// The page of one alert: its mode and content, its place in the thread (alert → update →
// cancel), what is happening to it — awaiting a second operator's approval (with the approval
// itself for an approver), scheduled, or being delivered (polled every second until done) — and,
// once sent, its update and its cancel. The parts are in ../alert/.
import { ApiError, loadSession } from '../core/api.js';
import { h, clear, announce } from '../../core/dom.js';
import { formatDateTime, t } from '../core/i18n.js';
import { renderFrame } from '../core/layout.js';
import { msgTypeBadge, severityBadge, stateBadge, statusBadge } from '../core/badges.js';
import { canSend } from '../../core/vocab.js';
import { modeBand } from '../compose/mode.js';
import { contentSection } from '../alert/content.js';
import { createDelivery } from '../alert/delivery.js';
import { createLifecycle } from '../alert/lifecycle.js';
import { renderThread } from '../alert/thread.js';
import { FINAL, NOT_SENT, fetchAlert, needsWatching } from '../alert/states.js';

const POLL_MS = 1000;
const MAX_BACKOFF_MS = 5000;

function heading(alert) {
  return h('div', { class: 'page-heading' },
    h('h1', {}, alert.title),
    h('p', { class: 'badges' }, statusBadge(alert.status),
      alert.msg_type && alert.msg_type !== 'Alert' ? msgTypeBadge(alert.msg_type) : null,
      severityBadge(alert.severity), h('span', { class: 'badge' }, t(`category.${alert.category}`))));
}

function stationLinks(station) {
  if (!station) return null;
  const base = `/console/stations/${encodeURIComponent(station.slug)}`;
  return h('p', { class: 'actions' },
    h('a', { class: 'button', href: base }, t('live.another')),
    h('a', { class: 'button button-quiet', href: `${base}/alerts` }, t('nav.history')));
}

function summaryItems(data, notSent) {
  return [
    h('dt', {}, data.send_at && notSent ? t('confirm.when') : notSent ? t('live.written') : t('live.created')),
    h('dd', {}, formatDateTime(data.send_at || data.created_at)),
    h('dt', {}, t('live.expires')), h('dd', {}, formatDateTime(data.expires_at)),
    h('dt', {}, t('live.audience')), h('dd', {}, data.status && data.status !== 'actual'
      ? t('confirm.testDevicesOnly') : t(`audience.short.${data.audience || 'followers'}`)),
  ];
}

// Lays the page out and returns show(alert), which brings it up to date with what the API says.
function layout(main, page) {
  const stateLine = h('p', { class: 'live-state' });
  const summary = h('dl', { class: 'summary summary-inline' });
  const threadBox = h('div');
  const delivery = createDelivery();
  // an approver reads the content inside the approval box, above its buttons; otherwise it is here
  const contentSlot = h('div', {}, page.content.element);
  const lifecycle = createLifecycle(page, contentSlot);
  main.append(modeBand(page.alert.status || 'actual', 'mode.page'), heading(page.alert), stateLine, lifecycle.element,
    summary, ...delivery.parts, contentSlot, threadBox, stationLinks(page.station));
  page.content.start();
  page.connection = delivery.connection;

  let lastState = null;
  let lifecycleKey = null;
  return function show(data) {
    const notSent = NOT_SENT.has(data.state);
    for (const part of delivery.parts) part.hidden = notSent;
    const total = delivery.show(data);
    clear(summary, summaryItems(data, notSent));
    clear(stateLine, stateBadge(data.state), ' ', t(`state.explain.${data.state}`, { count: total }));
    delivery.updated.textContent = t('live.updated', { time: new Date().toLocaleTimeString(document.documentElement.lang) });
    main.dataset.state = data.state;
    // the lifecycle box is rebuilt only when what it offers changes (not on every poll)
    const key = `${data.state}|${data.replaced_by}|${data.approval && data.approval.can_approve}`;
    if (key !== lifecycleKey) {
      lifecycleKey = key;
      lifecycle.render(data);
      renderThread(threadBox, data);
    }
    if (data.state !== lastState) {
      if (lastState !== null || FINAL.has(data.state)) {
        announce(`${t(`state.${data.state}`)}. ${notSent ? '' : delivery.progressText.textContent}`);
      }
      lastState = data.state;
    }
  };
}

// Every second while the alert goes out (backing off when the API cannot be reached), then
// every few seconds while it may still be updated or cancelled from another screen.
function watch(page) {
  let delay = POLL_MS;
  async function poll() {
    if (FINAL.has(page.alert.state) && !needsWatching(page.alert)) return;
    try {
      await page.refresh();
      page.connection.hidden = true;
      delay = POLL_MS;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      page.connection.textContent = t('live.connectionLost');
      page.connection.hidden = false;
      delay = Math.min(MAX_BACKOFF_MS, delay * 2);
    }
    setTimeout(poll, FINAL.has(page.alert.state) ? Math.max(delay, MAX_BACKOFF_MS) : delay);
  }
  setTimeout(poll, POLL_MS);
}

export async function render(ctx) {
  const session = await loadSession();
  const alert = await fetchAlert(ctx.alert);
  const station = (session.stations || []).find((s) => s.slug === alert.station) || null;
  const main = renderFrame({ session, station, active: null, title: alert.title });
  // what the parts of the page share (see ../alert/)
  const page = {
    id: ctx.alert,
    alert,
    session,
    station,
    mayAct: canSend(station && station.roles),
    // what an approver sees is what they approve: the hash of this very content
    shown: { hash: alert.content_hash },
    content: contentSection(alert, session),
  };
  const show = layout(main, page);
  page.refresh = async () => {
    page.alert = await fetchAlert(ctx.alert);
    show(page.alert);
  };
  show(alert);
  watch(page);
}
