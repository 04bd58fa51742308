// Before an alert goes out: awaiting a second operator's approval (the approval itself for an
// approver, with a countdown), or scheduled; withdrawing it meanwhile.
// `page`: { id, session, station, mayAct, shown, content, refresh } (see pages/alert.js);
// `timers`: where a countdown leaves its stop, for the next rendering to stop it.
import { api, ApiError } from '../core/api.js';
import { h, announce } from '../../core/dom.js';
import { formatDateTime, t } from '../core/i18n.js';

function countdown(until) {
  const ms = Math.max(0, new Date(until).getTime() - Date.now());
  const s = Math.ceil(ms / 1000);
  return { ms, text: `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` };
}

function countdownLine(data, timers, onExpired) {
  const line = h('p', { class: 'approval-countdown', role: 'timer', 'aria-live': 'off' });
  const expired = h('p', { class: 'notice notice-error', role: 'alert', hidden: true }, t('approval.expired'));
  let ticker = null;
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
  timers.push(() => clearInterval(ticker));
  return [line, expired];
}

function minutesOf(data) {
  const a = data.approval || {};
  if (!a.requested_at || !a.expires_at) return 15;
  return Math.round((new Date(a.expires_at) - new Date(a.requested_at)) / 60000);
}

const errorNotice = () => h('div', { class: 'notice notice-error', role: 'alert', hidden: true });

function showError(error, err) {
  error.textContent = err instanceof ApiError ? err.message : t('error.unexpected');
  error.hidden = false;
}

function withdrawButton(page, label, confirmText) {
  const error = errorNotice();
  const button = h('button', { type: 'button', class: 'button', dataset: { action: 'withdraw' } }, label);
  button.addEventListener('click', async () => {
    if (!window.confirm(confirmText)) return;
    button.disabled = true;
    error.hidden = true;
    try {
      await api('DELETE', `/api/v1/alerts/${encodeURIComponent(page.id)}`);
      announce(t('approval.withdrawn'));
      await page.refresh();
    } catch (err) {
      showError(error, err);
      button.disabled = false;
    }
  });
  return [button, error];
}

export function waitingCard(page, data, timers) {
  const { session, station, mayAct } = page;
  const [withdraw, error] = withdrawButton(page, t('approval.withdraw'), t('approval.withdrawConfirm'));
  return h('section', { class: 'card approval', dataset: { key: 'awaiting' } },
    h('h2', {}, t('approval.waiting', { minutes: minutesOf(data) })),
    h('p', {}, t('approval.waitingHint')),
    data.author && session.operator.name === data.author ? h('p', { class: 'field-hint' }, t('approval.yours')) : null,
    countdownLine(data, timers),
    mayAct || (station && station.roles.includes('approver')) ? h('p', { class: 'actions' }, withdraw) : null,
    error);
}

export function scheduledCard(page, data) {
  const [withdraw, error] = withdrawButton(page, t('scheduled.withdraw'), t('approval.withdrawConfirm'));
  return h('section', { class: 'card', dataset: { key: 'scheduled' } },
    h('h2', {}, t('scheduled.at', { when: formatDateTime(data.send_at) })),
    page.mayAct ? h('p', { class: 'actions' }, withdraw) : null, error);
}

function approveButton(page, data, { refuse, error }) {
  const approve = h('button', { type: 'button', class: 'button button-danger', dataset: { action: 'approve', mode: data.status } },
    t('approval.approve'));
  approve.addEventListener('click', async () => {
    approve.disabled = true;
    refuse.disabled = true;
    approve.textContent = t('approval.approving');
    error.hidden = true;
    try {
      await api('POST', `/api/v1/alerts/${encodeURIComponent(page.id)}/approve`, { content_hash: page.shown.hash });
      announce(t('approval.approved'));
      await page.refresh();
    } catch (err) {
      // 409 changed since read or too old, 403 self-approval: the server's words
      showError(error, err);
      approve.disabled = false;
      refuse.disabled = false;
      approve.textContent = t('approval.approve');
    }
  });
  return approve;
}

// For an approver: what they approve (the content moves in here), the countdown, approve or refuse.
export function approvalCard(page, data, timers) {
  const error = errorNotice();
  const [refuse, refuseError] = withdrawButton(page, t('approval.refuse'), t('approval.refuseConfirm'));
  refuse.dataset.action = 'refuse';
  const approve = approveButton(page, data, { refuse, error });
  return h('section', { class: 'card approval', dataset: { key: 'approve' } },
    h('h2', {}, t('approval.reviewTitle')),
    h('p', {}, t('approval.reviewIntro')),
    h('dl', { class: 'summary' },
      h('dt', {}, t('content.mode')), h('dd', { dataset: { key: 'mode' } }, t(`mode.${data.status || 'actual'}`)),
      h('dt', {}, t('approval.author')), h('dd', { dataset: { key: 'author' } }, data.author || '—'),
      h('dt', {}, t('approval.requestedAt')), h('dd', {}, formatDateTime(data.approval.requested_at)),
      h('dt', {}, t('confirm.severity')), h('dd', {}, t(`severity.${data.severity}`))),
    page.content.element,
    countdownLine(data, timers, () => { approve.disabled = true; }),
    error, refuseError,
    h('p', { class: 'actions' }, approve, refuse));
}
