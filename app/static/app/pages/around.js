// "Alerts around me": a choice of its own, separate from the browser's permissions. While it is
// on and the app is open, the phone's position (rounded by the server) goes to the server, so
// that alerts for everyone in a zone reach the people standing in it, visitors included.
import { h, clear, announce } from '../../../static/core/dom.js';
import { formatWhen, formatTime, t } from '../core/i18n.js';
import * as device from '../core/device.js';
import * as nearby from '../core/nearby.js';
import * as push from '../core/push.js';
import { errorText, notice, pageTitle, toggleSwitch } from '../core/ui.js';
import { dismissWelcome, touristWelcome } from '../core/tourist.js';
import { problemHelp } from '../views/enable-push.js';

const DAY_MS = 24 * 3600 * 1000;

function welcomeBox() {
  const welcome = touristWelcome();
  if (!welcome) return null;
  if (welcome.error) {
    return notice('warning', h('p', {}, welcome.error === 'unknown' ? t('tourist.unknown', { slug: welcome.slug }) : welcome.error));
  }
  const close = h('button', { type: 'button', class: 'button button-quiet button-small' }, t('tourist.dismiss'));
  const box = h('section', { class: 'card welcome', 'aria-labelledby': 'welcome-title' },
    h('h2', { id: 'welcome-title' }, t('tourist.welcome', { name: welcome.name })),
    h('p', {}, t('tourist.following', { name: welcome.name }), ' ', t('tourist.next')), close);
  close.addEventListener('click', () => {
    dismissWelcome();
    box.remove();
  });
  return box;
}

export async function render(main) {
  const statusBox = h('div', { class: 'around-status', role: 'status', 'aria-live': 'polite' });
  const help = h('div', { 'aria-live': 'polite' });
  let watching = null;
  let lastStatus = { state: 'off' };

  const toggle = toggleSwitch({
    label: t('around.switch'),
    checked: device.current().nearby.on,
    onToggle: (on) => (on ? turnOn() : turnOff()),
  });
  toggle.button.dataset.action = 'around';

  async function turnOn() {
    clear(help);
    toggle.button.disabled = true;
    try {
      // the permission prompt must come straight from the tap
      if ((await push.state()) !== 'on') await push.enable();
      await device.markNearbyWanted();
      toggle.set(true);
      nearby.start();
      announce(t('around.started'));
    } catch (err) {
      toggle.set(false);
      help.append(err instanceof push.PushProblem ? problemHelp(err.reason) : notice('error', errorText(err)));
    } finally {
      toggle.button.disabled = false;
    }
  }

  async function turnOff() {
    clear(help);
    toggle.button.disabled = true;
    nearby.stop();
    try {
      await device.stopNearby();
      toggle.set(false);
      announce(t('around.stopped'));
    } catch (err) {
      toggle.set(true);
      help.append(notice('error', errorText(err)));
    } finally {
      toggle.button.disabled = false;
      paint();
    }
  }

  function paint(status = lastStatus) {
    const { nearby: saved } = device.current();
    clear(statusBox);
    toggle.set(saved.on);
    if (status.state === 'error' && status.error) {
      statusBox.append(notice('warning', h('p', {}, errorText(status.error))));
    }
    if (!saved.on) {
      statusBox.append(h('p', {}, t('around.offText')));
      return;
    }
    if (saved.sentAt) {
      const expires = saved.expiresAt || new Date(Date.parse(saved.sentAt) + DAY_MS).toISOString();
      statusBox.append(
        h('p', { class: 'status-line', dataset: { sent: saved.sentAt } }, t('around.sentAt', { time: formatTime(saved.sentAt) })),
        h('p', { dataset: { expires } }, t('around.expires', { when: formatWhen(expires) })),
        h('p', { class: 'muted' }, t('around.refresh')));
    } else {
      statusBox.append(h('p', {}, t('around.locating')));
    }
  }

  // the switch comes before any explanation: a visitor who scanned a poster came for it
  main.append(...[pageTitle(t('around.title')),
    welcomeBox(),
    h('section', { class: 'card', 'aria-labelledby': 'around-switch-title' },
      h('h2', { id: 'around-switch-title', class: 'visually-hidden' }, t('around.switch')),
      toggle.element, statusBox, help),
    h('p', { class: 'lead' }, t('around.intro')),
    h('section', { class: 'card', 'aria-labelledby': 'around-how' },
      h('h2', { id: 'around-how' }, t('around.howTitle')),
      h('ul', { class: 'plain-list' },
        h('li', {}, t('around.how1')), h('li', {}, t('around.how2')), h('li', {}, t('around.how3')), h('li', {}, t('around.how4'))))]
    .filter(Boolean));

  const why = push.availability();
  if (why !== 'ok' && !device.current().nearby.on) help.append(problemHelp(why));
  watching = nearby.onStatus((status) => {
    lastStatus = status;
    paint(status);
  });
  const stop = device.onChange(() => paint());
  // opened with the switch on but the watcher stopped (e.g. the device was just registered)
  if (device.current().nearby.on && device.current().device && !nearby.running()) nearby.start();
  return () => {
    watching();
    stop();
  };
}
