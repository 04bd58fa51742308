// How the notification will look on a locked phone: what people read before they unlock it.
import { h } from '../core/dom.js';
import { formatTime, t } from '../core/i18n.js';

export function createLockscreen(stationName) {
  const clock = h('p', { class: 'phone-clock', 'aria-hidden': 'true' });
  const title = h('p', { class: 'notif-title' });
  const body = h('p', { class: 'notif-body' });
  const card = h('div', { class: 'notif' },
    h('div', { class: 'notif-head' },
      h('img', { class: 'notif-icon', src: '/static/console/favicon.svg', alt: '' }),
      h('span', { class: 'notif-app' }, stationName),
      h('span', { class: 'notif-when' }, t('lockscreen.now'))),
    title, body);
  const element = h('figure', { class: 'lockscreen' },
    h('div', { class: 'phone' }, clock, card),
    h('figcaption', {}, t('lockscreen.caption')));

  function update({ title: titleText, body: bodyText }) {
    clock.textContent = formatTime(new Date());
    title.textContent = titleText || t('lockscreen.titlePlaceholder');
    title.classList.toggle('is-placeholder', !titleText);
    body.textContent = bodyText || t('lockscreen.bodyPlaceholder');
    body.classList.toggle('is-placeholder', !bodyText);
  }
  update({});
  return { element, update };
}
