// "Send me a test notification": asks the server for one, follows it to the push service and
// to this phone, and says in plain words where it stopped.
import { h, clear } from '../../../static/core/dom.js';
import { t } from '../core/i18n.js';
import * as device from '../core/device.js';
import * as push from '../core/push.js';
import { busy, notice } from '../core/ui.js';
import { enablePushButton } from './enable-push.js';

const store = globalThis.tocsinStore;
const SERVER_WAIT_MS = 30_000;
const PHONE_WAIT_MS = 15_000;
const POLL_MS = 1_000;
const FIXED_BY_SUBSCRIBING = ['permission', 'subscription', 'pushService'];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function receivedSince(startedAt) {
  const at = await store.get('testReceived');
  return Boolean(at && Date.parse(at) >= startedAt);
}

// Resolves to {outcome, detail}; outcome is a key of selftest.result.*.
export async function runTest(onProgress) {
  if (!('Notification' in window) || Notification.permission !== 'granted') return { outcome: 'permission' };
  const sub = await push.subscription();
  const registered = device.current().device;
  if (!sub || !registered || sub.endpoint !== registered.endpoint) return { outcome: 'subscription' };
  const startedAt = Date.now() - 1000; // the phone's clock is the only one compared here
  try {
    await device.requestTest();
  } catch (err) {
    if (err instanceof device.DeviceLost) return { outcome: 'subscription' };
    return { outcome: err.offline ? 'offline' : 'server', detail: err.message };
  }
  onProgress('waitingServer');
  let state = 'pending';
  let detail = '';
  const waiting = () => state === 'pending' || state === null; // null: not recorded yet
  while (waiting() && Date.now() - startedAt < SERVER_WAIT_MS) {
    await sleep(POLL_MS);
    if (await receivedSince(startedAt)) return { outcome: 'ok' };
    try {
      ({ state, detail } = await device.testResult());
    } catch (err) {
      return { outcome: err.offline ? 'offline' : 'server', detail: err.message };
    }
  }
  if (state === 'failed') return { outcome: 'pushService', detail: detail || '' };
  if (state !== 'sent') return { outcome: 'slow' };
  onProgress('waitingPhone');
  const deadline = Date.now() + PHONE_WAIT_MS;
  while (Date.now() < deadline) {
    if (await receivedSince(startedAt)) return { outcome: 'ok' };
    await sleep(500);
  }
  return { outcome: 'notShown' };
}

export function selfTestSection() {
  const result = h('div', { class: 'test-result', 'aria-live': 'polite', dataset: { outcome: '' } });
  const button = h('button', { type: 'button', class: 'button button-secondary button-wide', dataset: { action: 'self-test' } }, t('selftest.button'));
  button.addEventListener('click', () => busy(button, t('selftest.running'), async () => {
    result.dataset.outcome = 'running';
    clear(result, h('p', {}, t('selftest.progress.asking')));
    const { outcome, detail } = await runTest((step) => clear(result, h('p', {}, t(`selftest.progress.${step}`))));
    result.dataset.outcome = outcome;
    const kind = outcome === 'ok' ? 'success' : outcome === 'slow' || outcome === 'notShown' ? 'warning' : 'error';
    clear(result, notice(kind,
      h('p', { class: 'notice-title' }, t(`selftest.result.${outcome}`)),
      h('p', {}, t(`selftest.advice.${outcome}`)),
      detail ? h('p', { class: 'muted' }, t('selftest.detail', { detail })) : null));
    if (FIXED_BY_SUBSCRIBING.includes(outcome)) {
      // a new subscription replaces the one the push service or the browser dropped
      result.append(enablePushButton({
        label: outcome === 'permission' ? t('push.enable') : t('push.reenable'),
        fresh: outcome !== 'permission',
        onEnabled: () => clear(result, notice('success', h('p', {}, t('selftest.resubscribed')))),
      }));
    }
  }));
  return h('section', { class: 'card', 'aria-labelledby': 'selftest-title' },
    h('h2', { id: 'selftest-title' }, t('selftest.title')),
    h('p', {}, t('selftest.intro')), button, result);
}
