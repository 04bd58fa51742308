// The page of one alert: its mode and content, its place in the thread (alert → update →
// cancel), what is happening to it — awaiting a second operator's approval (with the approval
// itself for an approver), scheduled, or being delivered (polled every second until done) — and,
// once sent, its update and its cancel.
import { api, ApiError, loadSession } from '../core/api.js';
import { actionDialog } from '../core/dialog.js';
import { h, clear, announce, field } from '../../core/dom.js';
import { formatCount, formatDateTime, formatNumber, languageName, t } from '../core/i18n.js';
import { renderFrame, errorBox } from '../core/layout.js';
import { CHANNELS, DELIVERY_STATUSES, SEVERITIES, canSend } from '../../core/vocab.js';
import { modeBand } from '../compose/mode.js';
import { frameText, frameWord } from '../compose/frame.js';
import { confirmSend } from '../compose/confirm.js';
import { describeZone } from '../compose/describe.js';
import { loadLeaflet } from '../map/loader.js';
import { showZone } from '../map/zone-view.js';

const POLL_MS = 1000;
const MAX_BACKOFF_MS = 5000;
// nothing more will happen to these by themselves
const FINAL = new Set(['complete', 'expired', 'withdrawn', 'replaced', 'cancelled']);
const NOT_SENT = new Set(['awaiting_approval', 'scheduled', 'withdrawn']);
// the delivery table: sent first, then the others in the vocabulary's order
const STATUS_ROWS = ['sent', ...DELIVERY_STATUSES.filter((s) => s !== 'sent')];

const asNumber = (v) => (typeof v === 'number' ? v : 0);
const alertUrl = (id) => `/console/alerts/${encodeURIComponent(id)}`;

function percent(part, whole) {
  return whole > 0 ? Math.floor((100 * part) / whole) : 0;
}

export function severityBadge(severity) {
  return h('span', { class: `badge severity-${severity}` }, t(`severity.short.${severity}`));
}

export function stateBadge(state) {
  return h('span', { class: `badge state-${state}`, dataset: { state } }, t(`state.${state}`));
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, dataset: { status } }, t(`mode.short.${status || 'actual'}`));
}

export function msgTypeBadge(msgType) {
  return h('span', { class: `badge msg-${msgType}`, dataset: { msgType } }, t(`msg.${msgType || 'Alert'}`));
}

function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

// The words as written, without the exercise framing the server added (for an update's form).
function unframed(status, language, text) {
  const word = frameWord(status, language);
  if (!word) return { ...text };
  let body = text.body;
  if (body.startsWith(`${word}\n`)) body = body.slice(word.length + 1);
  if (body.endsWith(`\n${word}`)) body = body.slice(0, -(word.length + 1));
  return { title: text.title.replace(`${word} – `, ''), body };
}

function textsOf(alert) {
  const texts = alert.texts || { [alert.language || 'fr']: { title: alert.title, body: alert.body } };
  // the main language first
  return Object.entries(texts).sort(([a], [b]) => (a === alert.language ? -1 : b === alert.language ? 1 : 0));
}

function countdown(until) {
  const ms = Math.max(0, new Date(until).getTime() - Date.now());
  const s = Math.ceil(ms / 1000);
  return { ms, text: `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` };
}

export async function render(ctx) {
  const session = await loadSession();
  let alert = await api('GET', `/api/v1/alerts/${encodeURIComponent(ctx.alert)}`);
  const station = (session.stations || []).find((s) => s.slug === alert.station) || null;
  const main = renderFrame({ session, station, active: null, title: alert.title });
  const mayAct = canSend(station && station.roles);
  // what an approver sees is what they approve: the hash of this very content
  const shown = { hash: alert.content_hash };

  const stateLine = h('p', { class: 'live-state' });
  const progress = h('progress', { id: 'sent-progress', max: 1, value: 0 });
  const progressText = h('p', { class: 'progress-text', id: 'sent-progress-text' });
  const statusTable = h('tbody');
  const channelTable = h('tbody');
  const connection = h('p', { class: 'notice notice-warning', role: 'status', hidden: true });
  const updated = h('p', { class: 'field-hint' });
  const summary = h('dl', { class: 'summary summary-inline' });
  const lifecycle = h('div', { class: 'lifecycle' });
  const threadBox = h('div');
  const deliveryParts = [];

  const liveCard = h('section', { class: 'card live', 'aria-labelledby': 'live-h' },
    h('h2', { id: 'live-h' }, t('live.progress')),
    h('label', { for: 'sent-progress', class: 'visually-hidden' }, t('live.progressLabel')),
    progress, progressText, connection, updated);
  const tables = h('div', { class: 'two-columns' },
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
        channelTable)));
  deliveryParts.push(liveCard, tables);

  const content = contentSection(alert, session);
  // an approver reads the content inside the approval box, above its buttons; otherwise it is here
  const contentSlot = h('div', {}, content.element);

  main.append(
    modeBand(alert.status || 'actual', 'mode.page'),
    h('div', { class: 'page-heading' },
      h('h1', {}, alert.title),
      h('p', { class: 'badges' }, statusBadge(alert.status),
        alert.msg_type && alert.msg_type !== 'Alert' ? msgTypeBadge(alert.msg_type) : null,
        severityBadge(alert.severity), h('span', { class: 'badge' }, t(`category.${alert.category}`)))),
    stateLine,
    lifecycle,
    summary,
    liveCard, tables,
    contentSlot,
    threadBox,
    station ? h('p', { class: 'actions' },
      h('a', { class: 'button', href: `/console/stations/${encodeURIComponent(station.slug)}` }, t('live.another')),
      h('a', { class: 'button button-quiet', href: `/console/stations/${encodeURIComponent(station.slug)}/alerts` }, t('nav.history'))) : null);
  content.start();

  let lastState = null;
  let lifecycleKey = null;
  let ticker = null;

  function showDeliveries(data) {
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
    clear(statusTable, STATUS_ROWS.filter((s) => s in (d.by_status || {}) || s === 'sent' || s === 'pending')
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
    return total;
  }

  function show(data) {
    const notSent = NOT_SENT.has(data.state);
    for (const part of deliveryParts) part.hidden = notSent;
    const total = showDeliveries(data);
    clear(summary,
      h('dt', {}, data.send_at && notSent ? t('confirm.when') : notSent ? t('live.written') : t('live.created')),
      h('dd', {}, formatDateTime(data.send_at || data.created_at)),
      h('dt', {}, t('live.expires')), h('dd', {}, formatDateTime(data.expires_at)),
      h('dt', {}, t('live.audience')), h('dd', {}, data.status && data.status !== 'actual'
        ? t('confirm.testDevicesOnly') : t(`audience.short.${data.audience || 'followers'}`)));
    clear(stateLine, stateBadge(data.state), ' ', t(`state.explain.${data.state}`, { count: total }));
    updated.textContent = t('live.updated', { time: new Date().toLocaleTimeString(document.documentElement.lang) });
    main.dataset.state = data.state;
    // the lifecycle box is rebuilt only when what it offers changes (not on every poll)
    const key = `${data.state}|${data.replaced_by}|${data.approval && data.approval.can_approve}`;
    if (key !== lifecycleKey) {
      lifecycleKey = key;
      renderLifecycle(data);
      renderThread(data);
    }
    if (data.state !== lastState) {
      if (lastState !== null || FINAL.has(data.state)) {
        announce(`${t(`state.${data.state}`)}. ${notSent ? '' : progressText.textContent}`);
      }
      lastState = data.state;
    }
  }

  // ---- the box of what can be done now ---------------------------------------------------------
  function renderLifecycle(data) {
    clearInterval(ticker);
    clear(lifecycle);
    if (content.element.parentNode !== contentSlot) {
      contentSlot.append(content.element);
      content.resize();
    }
    const approval = data.approval || {};
    if (data.state === 'awaiting_approval' && approval.can_approve) {
      lifecycle.append(approvalCard(data));
      content.resize();
    } else if (data.state === 'awaiting_approval') {
      lifecycle.append(waitingCard(data));
    } else if (data.state === 'scheduled') {
      lifecycle.append(scheduledCard(data));
    } else if (approval.approved_by && data.state !== 'withdrawn') {
      lifecycle.append(h('p', { class: 'notice notice-success', dataset: { key: 'approved-by' } },
        t('approval.approvedBy', { name: approval.approved_by, when: formatDateTime(approval.approved_at) })));
    }
    if (mayAct && !NOT_SENT.has(data.state) && data.msg_type !== 'Cancel' && !data.replaced_by
      && new Date(data.expires_at).getTime() > Date.now()) {
      lifecycle.append(followUpCard(data));
    }
  }

  function countdownLine(data, onExpired) {
    const line = h('p', { class: 'approval-countdown', role: 'timer', 'aria-live': 'off' });
    const expired = h('p', { class: 'notice notice-error', role: 'alert', hidden: true }, t('approval.expired'));
    const tick = () => {
      const left = countdown(data.approval.expires_at);
      line.textContent = t('approval.remaining', { time: left.text });
      if (left.ms <= 0) {
        clearInterval(ticker);
        line.hidden = true;
        expired.hidden = false;
        onExpired?.();
      }
    };
    tick();
    ticker = setInterval(tick, 1000);
    return [line, expired];
  }

  function minutesOf(data) {
    const a = data.approval || {};
    if (!a.requested_at || !a.expires_at) return 15;
    return Math.round((new Date(a.expires_at) - new Date(a.requested_at)) / 60000);
  }

  function withdrawButton(label, confirmText) {
    const error = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
    const button = h('button', { type: 'button', class: 'button', dataset: { action: 'withdraw' } }, label);
    button.addEventListener('click', async () => {
      if (!window.confirm(confirmText)) return;
      button.disabled = true;
      error.hidden = true;
      try {
        await api('DELETE', `/api/v1/alerts/${encodeURIComponent(ctx.alert)}`);
        announce(t('approval.withdrawn'));
        await refresh();
      } catch (err) {
        error.textContent = err instanceof ApiError ? err.message : t('error.unexpected');
        error.hidden = false;
        button.disabled = false;
      }
    });
    return [button, error];
  }

  function waitingCard(data) {
    const [withdraw, error] = withdrawButton(t('approval.withdraw'), t('approval.withdrawConfirm'));
    return h('section', { class: 'card approval', dataset: { key: 'awaiting' } },
      h('h2', {}, t('approval.waiting', { minutes: minutesOf(data) })),
      h('p', {}, t('approval.waitingHint')),
      data.author && session.operator.name === data.author ? h('p', { class: 'field-hint' }, t('approval.yours')) : null,
      countdownLine(data),
      mayAct || (station && station.roles.includes('approver')) ? h('p', { class: 'actions' }, withdraw) : null,
      error);
  }

  function scheduledCard(data) {
    const [withdraw, error] = withdrawButton(t('scheduled.withdraw'), t('approval.withdrawConfirm'));
    return h('section', { class: 'card', dataset: { key: 'scheduled' } },
      h('h2', {}, t('scheduled.at', { when: formatDateTime(data.send_at) })),
      mayAct ? h('p', { class: 'actions' }, withdraw) : null, error);
  }

  function approvalCard(data) {
    const error = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
    const approve = h('button', { type: 'button', class: 'button button-danger', dataset: { action: 'approve', mode: data.status } },
      t('approval.approve'));
    const [refuse, refuseError] = withdrawButton(t('approval.refuse'), t('approval.refuseConfirm'));
    refuse.dataset.action = 'refuse';
    approve.addEventListener('click', async () => {
      approve.disabled = true;
      refuse.disabled = true;
      approve.textContent = t('approval.approving');
      error.hidden = true;
      try {
        await api('POST', `/api/v1/alerts/${encodeURIComponent(ctx.alert)}/approve`, { content_hash: shown.hash });
        announce(t('approval.approved'));
        await refresh();
      } catch (err) {
        // 409 changed since read or too old, 403 self-approval: the server's words
        error.textContent = err instanceof ApiError ? err.message : t('error.unexpected');
        error.hidden = false;
        approve.disabled = false;
        refuse.disabled = false;
        approve.textContent = t('approval.approve');
      }
    });
    return h('section', { class: 'card approval', dataset: { key: 'approve' } },
      h('h2', {}, t('approval.reviewTitle')),
      h('p', {}, t('approval.reviewIntro')),
      h('dl', { class: 'summary' },
        h('dt', {}, t('content.mode')), h('dd', { dataset: { key: 'mode' } }, t(`mode.${data.status || 'actual'}`)),
        h('dt', {}, t('approval.author')), h('dd', { dataset: { key: 'author' } }, data.author || '—'),
        h('dt', {}, t('approval.requestedAt')), h('dd', {}, formatDateTime(data.approval.requested_at)),
        h('dt', {}, t('confirm.severity')), h('dd', {}, t(`severity.${data.severity}`))),
      content.element,
      countdownLine(data, () => { approve.disabled = true; }),
      error, refuseError,
      h('p', { class: 'actions' }, approve, refuse));
  }

  // ---- update and cancel of a sent alert -------------------------------------------------------
  function followUpCard(data) {
    const updateButton = h('button', { type: 'button', class: 'button', dataset: { action: 'update' } }, t('lifecycle.update'));
    const cancelButton = h('button', { type: 'button', class: 'button button-danger', dataset: { action: 'cancel' } }, t('lifecycle.cancel'));
    const formBox = h('div');
    updateButton.addEventListener('click', () => {
      clear(formBox, updateForm(data, () => { clear(formBox); updateButton.focus(); }));
      formBox.querySelector('input, textarea, select')?.focus();
    });
    cancelButton.addEventListener('click', () => cancelDialog(data));
    return h('section', { class: 'card', dataset: { key: 'follow-up' } },
      h('h2', {}, t('lifecycle.title')),
      h('p', { class: 'field-hint' }, t('lifecycle.intro')),
      h('p', { class: 'actions' }, updateButton, cancelButton),
      formBox);
  }

  function updateForm(data, close) {
    const severity = field({
      label: t('compose.severity'),
      control: h('select', {}, SEVERITIES.map((s) => h('option', { value: s, selected: s === data.severity }, t(`severity.${s}`)))),
    });
    const languages = textsOf(data).map(([code, text]) => {
      const words = unframed(data.status, code, text);
      const suffix = textsOf(data).length > 1 ? ` (${languageName(code)})` : '';
      const title = field({ label: `${t('compose.title')}${suffix}`, control: h('input', { type: 'text', name: `update-title-${code}`, value: words.title, lang: code }) });
      const body = field({ label: `${t('compose.body')}${suffix}`, control: h('textarea', { name: `update-body-${code}`, rows: 4, lang: code }) });
      body.control.value = words.body;
      return { code, title, body };
    });
    const error = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
    const review = h('button', { type: 'submit', class: 'button button-danger', dataset: { mode: data.status } }, t('lifecycle.updateReview'));
    const closeButton = h('button', { type: 'button', class: 'button button-quiet' }, t('lifecycle.close'));
    closeButton.addEventListener('click', close);
    const form = h('form', { class: 'inline-form update-form', novalidate: true },
      h('h3', {}, t('lifecycle.updateTitle')),
      h('p', { class: 'field-hint' }, t('lifecycle.updateIntro')),
      severity.wrapper,
      languages.map((l) => [l.title.wrapper, l.body.wrapper]),
      error,
      h('p', { class: 'actions' }, review, closeButton));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      error.hidden = true;
      let missing = null;
      for (const l of languages) {
        for (const [f, key] of [[l.title, 'compose.titleMissing'], [l.body, 'compose.bodyMissing']]) {
          f.setError(f.control.value.trim() ? null : t(key));
          if (!f.control.value.trim() && !missing) missing = f.control;
        }
      }
      if (missing) {
        missing.focus();
        return;
      }
      const texts = Object.fromEntries(languages.map((l) => [l.code, { title: l.title.control.value.trim(), body: l.body.control.value.trim() }]));
      const messages = languages.map((l) => ({ lang: l.code, ...frameText(data.status, l.code, texts[l.code]) }));
      const key = newIdempotencyKey();
      await confirmSend({
        rows: [
          [t('confirm.mode'), t(`mode.${data.status || 'actual'}`), 'mode'],
          [t('confirm.station'), station ? station.name : data.station, 'station'],
          [t('confirm.severity'), t(`severity.${severity.control.value}`), 'severity'],
        ],
        title: messages[0].title, body: messages[0].body, severity: severity.control.value, status: data.status || 'actual',
        messages, heading: t('lifecycle.updateConfirm'), sendLabel: t('lifecycle.updateSend'),
        onConfirm: async () => {
          try {
            const sent = await api('POST', `/api/v1/alerts/${encodeURIComponent(ctx.alert)}/update`,
              { texts, severity: severity.control.value }, { headers: { 'Idempotency-Key': key } });
            location.assign(alertUrl(sent.id));
            return null;
          } catch (err) {
            if (!(err instanceof ApiError)) return { message: t('error.unexpected') };
            if (err.status === 409) {
              error.textContent = err.message;
              error.hidden = false;
              return { closeDialog: true };
            }
            return { message: err.message };
          }
        },
      });
    });
    return form;
  }

  function cancelDialog(data) {
    const texts = (data.cancel_texts || {});
    const lang = data.language || 'fr';
    const name = 'cancel-reason';
    let reason = null;
    let act = null;
    const choices = ['error', 'all_clear'].map((r) => {
      const text = (texts[r] || {})[lang] || Object.values(texts[r] || {})[0] || { title: '', body: '' };
      const input = h('input', { type: 'radio', name, value: r, id: `${name}-${r}` });
      input.addEventListener('change', () => {
        reason = r;
        act.disabled = false;
      });
      return h('div', { class: 'choice', dataset: { reason: r } }, input,
        h('label', { for: input.id },
          h('strong', {}, t(`lifecycle.reason.${r}`)),
          h('span', { class: 'notif-title' }, text.title),
          h('span', { class: 'cancel-body' }, text.body)));
    });
    const key = newIdempotencyKey();
    act = actionDialog({
      labelledBy: 'cancel-title',
      content: [
        modeBand(data.status || 'actual'),
        h('h2', { id: 'cancel-title' }, t('lifecycle.cancelTitle')),
        h('p', { class: 'lede' }, t('lifecycle.cancelIntro')),
        h('fieldset', { class: 'field cancel-choices' }, h('legend', { class: 'visually-hidden' }, t('lifecycle.cancelTitle')), choices),
      ],
      backLabel: t('lifecycle.cancelBack'),
      actLabel: t('lifecycle.cancelSend'),
      actData: { action: 'confirm-cancel' },
      onAct: async () => {
        try {
          const sent = await api('POST', `/api/v1/alerts/${encodeURIComponent(ctx.alert)}/cancel`, { reason },
            { headers: { 'Idempotency-Key': key } });
          location.assign(alertUrl(sent.id));
          return null;
        } catch (err) {
          return { message: err instanceof ApiError ? err.message : t('error.unexpected') };
        }
      },
    }).act;
    act.disabled = true; // until a reason is chosen
  }

  // ---- the thread: original → updates → cancel --------------------------------------------------
  async function renderThread(data) {
    if (!data.references && !data.replaced_by) {
      clear(threadBox);
      return;
    }
    const before = [];
    const after = [];
    const get = (id) => api('GET', `/api/v1/alerts/${encodeURIComponent(id)}`).catch(() => null);
    let cursor = data;
    for (let i = 0; i < 20 && cursor && cursor.references; i += 1) {
      cursor = await get(cursor.references);
      if (cursor) before.unshift(cursor);
    }
    cursor = data;
    for (let i = 0; i < 20 && cursor && cursor.replaced_by; i += 1) {
      cursor = await get(cursor.replaced_by);
      if (cursor) after.push(cursor);
    }
    const items = [...before, data, ...after];
    clear(threadBox, h('section', { class: 'card', 'aria-labelledby': 'thread-h' },
      h('h2', { id: 'thread-h' }, t('lifecycle.thread')),
      h('ol', { class: 'thread' }, items.map((a) => h('li', { 'aria-current': a.id === data.id ? 'page' : null, dataset: { alert: a.id, msgType: a.msg_type } },
        msgTypeBadge(a.msg_type), ' ',
        a.id === data.id ? h('span', {}, a.title, ' ', t('lifecycle.thisPage')) : h('a', { href: alertUrl(a.id) }, a.title), ' ',
        stateBadge(a.state), ' ',
        h('span', { class: 'field-hint' }, formatDateTime(a.created_at), a.author ? ` · ${t('lifecycle.by', { name: a.author })}` : ''))))));
  }

  async function refresh() {
    alert = await api('GET', `/api/v1/alerts/${encodeURIComponent(ctx.alert)}`);
    show(alert);
  }

  show(alert);
  let delay = POLL_MS;
  async function poll() {
    if (FINAL.has(alert.state) && !needsWatching(alert)) return;
    try {
      await refresh();
      connection.hidden = true;
      delay = POLL_MS;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      connection.textContent = t('live.connectionLost');
      connection.hidden = false;
      delay = Math.min(MAX_BACKOFF_MS, delay * 2);
    }
    // a finished delivery is only watched for a later update or cancel: less often
    setTimeout(poll, FINAL.has(alert.state) ? Math.max(delay, MAX_BACKOFF_MS) : delay);
  }
  setTimeout(poll, POLL_MS);
}

// A complete alert may still be replaced or cancelled from another screen: keep an eye on it,
// unless it is finished for good.
function needsWatching(alert) {
  return alert.state === 'complete' && !alert.replaced_by && alert.msg_type !== 'Cancel'
    && new Date(alert.expires_at).getTime() > Date.now();
}

// The alert's words in each language, its zone on a map, its mode: what an approver approves.
function contentSection(alert, session) {
  const mapElement = h('div', { class: 'zone-view', id: 'zone-view' });
  const element = h('section', { class: 'card alert-content', 'aria-labelledby': 'content-h' },
    h('h2', { id: 'content-h' }, t('content.title')),
    textsOf(alert).map(([code, text]) => h('div', { class: 'text-block', lang: code, dataset: { lang: code } },
      h('h3', {}, languageName(code)),
      h('p', { class: 'notif-title' }, text.title),
      h('p', { class: 'text-body' }, text.body))),
    h('h3', {}, t('content.zone')),
    h('p', { dataset: { key: 'zone' } }, alert.zone ? describeZone(alert.zone) : t('content.noZone')),
    alert.zone ? mapElement : null);
  let map = null;
  async function start() {
    if (!alert.zone) return;
    try {
      const L = await loadLeaflet();
      map = showZone(L, mapElement, alert.zone, {
        tileUrl: session.map && session.map.tile_url,
        attribution: session.map && session.map.attribution,
        label: t('content.mapLabel'),
      });
      window.tocsinZoneMap = map;
    } catch (err) {
      console.error(err);
      mapElement.replaceChildren(errorBox(t('map.failed')));
    }
  }
  // after the element moved (into or out of the approval box) the map measures itself again
  const resize = () => setTimeout(() => map?.invalidateSize(), 0);
  return { element, start, resize };
}
