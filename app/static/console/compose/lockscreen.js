// How the notification will look on a locked phone: what people read before they unlock it.
// An exercise or a test is shown framed exactly as the server will send it, under its band; with
// an English version, a tab shows each language.
import { h } from '../../core/dom.js';
import { formatTime, t } from '../core/i18n.js';
import { frameText } from './frame.js';

export function createLockscreen(stationName) {
  const clock = h('p', { class: 'phone-clock', 'aria-hidden': 'true' });
  const title = h('p', { class: 'notif-title' });
  const body = h('p', { class: 'notif-body' });
  const band = h('p', { class: 'mode-band phone-band' });
  const card = h('div', { class: 'notif' },
    h('div', { class: 'notif-head' },
      h('img', { class: 'notif-icon', src: '/static/console/favicon.svg', alt: '' }),
      h('span', { class: 'notif-app' }, stationName),
      h('span', { class: 'notif-when' }, t('lockscreen.now'))),
    title, body);
  const tabs = h('div', { class: 'preview-tabs', role: 'group', 'aria-label': t('lang2.previewTabs'), hidden: true });
  const phone = h('div', { class: 'phone' }, clock, band, card);
  const element = h('figure', { class: 'lockscreen' },
    tabs, phone,
    h('figcaption', {}, t('lockscreen.caption')));
  let shown = 'fr';
  let last = {};

  function tab(code) {
    const button = h('button', { type: 'button', class: 'button button-quiet tool', 'aria-pressed': String(shown === code), lang: code, dataset: { lang: code } },
      t(`lang.name.${code}`));
    button.addEventListener('click', () => {
      shown = code;
      update(last);
    });
    return button;
  }

  // values: {title, body, status, en: {title, body} | null}
  function update(values) {
    last = values || {};
    const status = last.status || 'actual';
    if (!last.en) shown = 'fr';
    tabs.hidden = !last.en;
    tabs.replaceChildren(...(last.en ? [tab('fr'), tab('en')] : []));
    const words = shown === 'en' && last.en ? last.en : { title: last.title, body: last.body };
    const framed = frameText(status, shown, { title: words.title || '', body: words.body || '' });
    clock.textContent = formatTime(new Date());
    phone.className = `phone mode-${status}`;
    phone.dataset.mode = status;
    band.className = `mode-band phone-band mode-${status}`;
    band.textContent = t(`mode.short.${status}`);
    band.hidden = status === 'actual';
    title.textContent = words.title ? framed.title : t('lockscreen.titlePlaceholder');
    title.classList.toggle('is-placeholder', !words.title);
    body.textContent = words.body ? framed.body : t('lockscreen.bodyPlaceholder');
    body.classList.toggle('is-placeholder', !words.body);
    element.dataset.lang = shown;
  }
  update({});
  return { element, update };
}
