// The frame of every page: skip link, top bar (station, navigation, language, logout), <main>.
import { api } from './api.js';
import { h, clear } from '../../core/dom.js';
import { otherLanguage, t } from './i18n.js';

export function languageSwitch() {
  const other = otherLanguage();
  return h('a', {
    class: 'lang-switch', href: other.href, hreflang: other.lang, lang: other.lang,
    'aria-label': t(`lang.switchTo.${other.lang}`),
  }, t(`lang.name.${other.lang}`));
}

function stationNav(station, active) {
  const base = `/console/stations/${encodeURIComponent(station.slug)}`;
  const items = [
    ['map', base, t('nav.map')],
    ['history', `${base}/alerts`, t('nav.history')],
    ['cap', `${base}/cap`, t('nav.cap')],
    ['poster', `${base}/poster`, t('nav.poster')],
  ];
  if ((station.roles || []).includes('admin')) items.push(['admin', `${base}/admin`, t('nav.admin')]);
  return h('nav', { class: 'station-nav', 'aria-label': t('nav.label') },
    h('ul', {}, items.map(([key, href, label]) => h('li', {},
      h('a', { href, 'aria-current': key === active ? 'page' : null }, label)))));
}

async function logout(button) {
  button.disabled = true;
  try {
    await api('DELETE', '/api/v1/session');
  } catch {
    // the session is gone either way for this browser once we leave; the login page says so
  }
  location.assign('/console/login');
}

// Builds the page frame and returns the <main> element to fill.
export function renderFrame({ session = null, station = null, active = null, title }) {
  document.title = title ? `${title} · Tocsin` : 'Tocsin';
  const app = document.getElementById('app');
  const main = h('main', { id: 'main', tabindex: '-1' });
  const end = h('div', { class: 'topbar-end' });
  if (session) end.append(h('span', { class: 'operator-name' }, session.operator.name || session.operator.email));
  end.append(languageSwitch());
  if (session) {
    const logoutButton = h('button', { type: 'button', class: 'button button-quiet' }, t('nav.logout'));
    logoutButton.addEventListener('click', () => logout(logoutButton));
    end.append(logoutButton);
  }
  const brand = h('a', { class: 'brand', href: '/console/' },
    h('img', { src: '/static/console/favicon.svg', alt: '', width: 28, height: 28 }), 'Tocsin');
  const left = h('div', { class: 'topbar-start' }, brand,
    station ? h('span', { class: 'station-name' }, station.name) : null);
  const header = h('header', { class: 'topbar' }, left, station ? stationNav(station, active) : null, end);
  clear(app,
    h('a', { class: 'skip-link', href: '#main' }, t('nav.skip')),
    header,
    main);
  return main;
}

export function pageHeading(text, ...extra) {
  return h('div', { class: 'page-heading' }, h('h1', {}, text), ...extra);
}

export function errorBox(message) {
  return h('div', { class: 'notice notice-error', role: 'alert' }, message);
}
