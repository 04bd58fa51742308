// Notifications on or off (and why), the self-test, the language, and leaving: unfollow
// everything or erase everything; at the bottom, for operators only, this phone as a test phone.
import { h, clear, announce } from '../../../static/core/dom.js';
import { otherLanguage, t } from '../core/i18n.js';
import * as device from '../core/device.js';
import * as nearby from '../core/nearby.js';
import * as push from '../core/push.js';
import { busy, confirmDialog, errorText, notice, pageTitle } from '../core/ui.js';
import { enablePushButton, problemHelp } from '../views/enable-push.js';
import { selfTestSection } from '../views/self-test.js';
import { testDevicesSection } from '../views/test-devices.js';

async function notificationSection() {
  const box = h('section', { class: 'card', 'aria-labelledby': 'push-title', dataset: { part: 'push' } });
  async function paint() {
    const state = await push.state();
    box.dataset.state = state;
    clear(box, h('h2', { id: 'push-title' }, t('settings.push')));
    if (state === 'on') {
      box.append(notice('success', h('p', {}, t('settings.pushOn'))));
    } else if (state === 'off' || state === 'lost') {
      box.append(h('p', {}, t(state === 'off' ? 'settings.pushOff' : 'settings.pushLost')),
        enablePushButton({ onEnabled: paint, label: state === 'off' ? t('push.enable') : t('push.reenable') }));
    } else {
      box.append(problemHelp(state));
    }
  }
  await paint();
  return { box, paint };
}

function languageSection() {
  const other = otherLanguage('#/settings');
  return h('section', { class: 'card', 'aria-labelledby': 'lang-title' },
    h('h2', { id: 'lang-title' }, t('settings.language')),
    h('p', {}, h('a', { href: other.href, hreflang: other.lang, lang: other.lang }, t(`lang.switchTo.${other.lang}`))));
}

function leaveSection(onErased) {
  const message = h('div', { 'aria-live': 'polite' });
  const unfollowAll = h('button', { type: 'button', class: 'button button-secondary button-wide', dataset: { action: 'unfollow-all' } }, t('leave.unfollowAll'));
  unfollowAll.addEventListener('click', async () => {
    clear(message);
    const sure = await confirmDialog({ title: t('leave.unfollowTitle'), text: t('leave.unfollowText'), confirm: t('leave.unfollowConfirm') });
    if (!sure) return;
    await busy(unfollowAll, t('common.saving'), async () => {
      try {
        await device.setFollows([]);
        clear(message, notice('success', h('p', {}, t('leave.unfollowed'))));
      } catch (err) {
        clear(message, notice('error', errorText(err)));
      }
    });
  });
  const erase = h('button', { type: 'button', class: 'button button-danger button-wide', dataset: { action: 'erase' } }, t('leave.erase'));
  erase.addEventListener('click', async () => {
    clear(message);
    const sure = await confirmDialog({ title: t('leave.eraseTitle'), text: t('leave.eraseText'), confirm: t('leave.eraseConfirm'), danger: true });
    if (!sure) return;
    await busy(erase, t('leave.erasing'), async () => {
      try {
        nearby.stop();
        await device.erase();
        await push.unsubscribe();
        clear(message, notice('success', h('p', {}, t('leave.erased'))));
        announce(t('leave.erased'));
        await onErased();
      } catch (err) {
        clear(message, notice('error', errorText(err)));
      }
    });
  });
  return h('section', { class: 'card', 'aria-labelledby': 'leave-title' },
    h('h2', { id: 'leave-title' }, t('leave.title')),
    h('p', {}, t('leave.intro')), unfollowAll, erase, message);
}

export async function render(main) {
  const notifications = await notificationSection();
  const testDevices = testDevicesSection();
  // turning notifications on or erasing everything changes what the test phone section can do
  let registered = device.current().device && device.current().device.id;
  const stop = device.onChange((now) => {
    const id = now.device && now.device.id;
    if (id !== registered) {
      registered = id;
      testDevices.paint();
    }
  });
  main.append(pageTitle(t('settings.title')),
    notifications.box,
    selfTestSection(),
    languageSection(),
    leaveSection(notifications.paint),
    h('section', { class: 'card', 'aria-labelledby': 'privacy-title' },
      h('h2', { id: 'privacy-title' }, t('privacy.title')),
      h('ul', { class: 'plain-list' }, h('li', {}, t('privacy.1')), h('li', {}, t('privacy.2')), h('li', {}, t('privacy.3')))),
    testDevices.element);
  return stop;
}
