// The public page of an alert (/alerts/{id}): the link in every notification, and the page
// people share. It works in any browser, without the app and without a service worker.
import { clear, h } from '../../static/core/dom.js';
import { api, ApiError } from './core/api.js';
import { pageLang, setLang, t } from './core/i18n.js';
import { notice } from './core/ui.js';
import { alertView } from './views/alert-view.js';

function alertId() {
  const given = document.documentElement.dataset.alert || '';
  if (given && !given.startsWith('{{')) return given;
  const match = location.pathname.match(/\/alerts\/([^/]+)/);
  return match ? decodeURIComponent(match[1]) : '';
}

async function start() {
  setLang(pageLang());
  const app = document.getElementById('app');
  const main = h('main', { id: 'main', tabindex: '-1' });
  clear(app,
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: '/app/' },
        h('img', { src: '/app/icons/icon-192.png', alt: '', width: 32, height: 32 }), h('span', {}, t('app.name')))),
    main);
  let alert;
  try {
    alert = await api('GET', `/api/v1/alerts/${encodeURIComponent(alertId())}/public`);
  } catch (err) {
    document.title = `${t('alert.notFound')} · ${t('app.name')}`;
    const text = err instanceof ApiError && err.status === 404 ? t('alert.notFoundText') : err.message;
    main.append(h('h1', {}, t('alert.notFound')), notice('error', text));
    return;
  }
  document.title = `${alert.title} · ${alert.station.name}`;
  const view = alertView(alert);
  main.append(view.element,
    h('section', { class: 'card app-invite' },
      h('h2', {}, t('public.appTitle')),
      h('p', {}, t('public.appText', { station: alert.station.name })),
      h('a', { class: 'button button-primary', href: `/app/#/stations/${encodeURIComponent(alert.station.slug)}` }, t('public.openApp'))));
  await view.drawMap();
}

start();
