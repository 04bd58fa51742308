// The frame around every screen: a top bar, the content, and the menu at the bottom where a
// thumb reaches it on a phone.
import { h, clear } from '../../../static/core/dom.js';
import { t } from './i18n.js';
import { icon } from './icons.js';

export const SECTIONS = [
  { key: 'alerts', href: '#/', icon: 'bell' },
  { key: 'stations', href: '#/stations', icon: 'star' },
  { key: 'places', href: '#/places', icon: 'home' },
  { key: 'around', href: '#/around', icon: 'around' },
  { key: 'settings', href: '#/settings', icon: 'gear' },
];

let nav = null;
let offlineBanner = null;

export function renderFrame() {
  const main = h('main', { id: 'main', tabindex: '-1' });
  nav = h('nav', { class: 'tabbar', 'aria-label': t('nav.label') },
    h('ul', {}, SECTIONS.map((s) => h('li', {},
      h('a', { href: s.href, dataset: { section: s.key } }, icon(s.icon), h('span', {}, t(`nav.${s.key}`)))))));
  offlineBanner = h('p', { class: 'offline-banner', role: 'status', hidden: navigator.onLine }, t('offline.banner'));
  const header = h('header', { class: 'topbar' },
    h('a', { class: 'brand', href: '#/' },
      h('img', { src: '/app/icons/icon-192.png', alt: '', width: 32, height: 32 }), h('span', {}, t('app.name'))),
    offlineBanner);
  clear(document.getElementById('app'),
    h('a', { class: 'skip-link', href: '#main', onclick: (e) => { e.preventDefault(); main.focus(); } }, t('nav.skip')),
    header, main, nav);
  window.addEventListener('online', () => { offlineBanner.hidden = true; });
  window.addEventListener('offline', () => { offlineBanner.hidden = false; });
  window.addEventListener('tocsin:network', (event) => { offlineBanner.hidden = event.detail; });
  return main;
}

export function setActive(section) {
  for (const link of nav.querySelectorAll('a')) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}
