// Entry point: reads what the server put on <html>, sets the language, runs the page's module.
import { setLang, t } from './core/i18n.js';
import { ApiError } from './core/api.js';
import { renderFrame, errorBox } from './core/layout.js';
import { h } from '../core/dom.js';

const PAGES = {
  login: () => import('./pages/login.js'),
  invitation: () => import('./pages/invitation.js'),
  stations: () => import('./pages/stations.js'),
  map: () => import('./pages/map.js'),
  history: () => import('./pages/history.js'),
  admin: () => import('./pages/admin.js'),
  cap: () => import('./pages/cap.js'),
  alert: () => import('./pages/alert.js'),
};

// The server substitutes {{…}}; when a value is missing (a static preview, an old server) the
// path says the same thing.
function filled(value) {
  return value && !value.startsWith('{{') ? value : '';
}

function fromPath(path) {
  const parts = path.replace(/^\/console\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'login') return { page: 'login' };
  if (parts[0] === 'invitation') return { page: 'invitation' };
  if (parts[0] === 'alerts' && parts[1]) return { page: 'alert', alert: parts[1] };
  if (parts[0] === 'stations' && parts[1]) {
    const page = { alerts: 'history', admin: 'admin', cap: 'cap' }[parts[2]] || (parts[2] ? 'notfound' : 'map');
    return { page, station: parts[1] };
  }
  return parts.length ? { page: 'notfound' } : { page: 'stations' };
}

export function context() {
  const data = document.documentElement.dataset;
  const guess = fromPath(location.pathname);
  const lang = filled(document.documentElement.getAttribute('lang')) || filled(data.lang) || 'fr';
  return {
    lang,
    page: filled(data.page) || guess.page,
    station: filled(data.station) || guess.station || '',
    alert: filled(data.alert) || guess.alert || '',
  };
}

function notFound() {
  const main = renderFrame({ title: t('notfound.title') });
  main.append(h('h1', {}, t('notfound.title')), h('p', {}, t('notfound.text')),
    h('p', {}, h('a', { href: '/console/' }, t('notfound.back'))));
}

async function start() {
  const ctx = context();
  setLang(ctx.lang);
  const load = PAGES[ctx.page];
  if (!load) {
    notFound();
    return;
  }
  try {
    const module = await load();
    await module.render(ctx);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return; // already on the way to login
    if (err instanceof ApiError && err.status === 404) {
      notFound();
      return;
    }
    console.error(err);
    const main = document.getElementById('main') || renderFrame({ title: t('error.title') });
    main.append(errorBox(err instanceof ApiError ? err.message : t('error.unexpected')));
  }
}

start();
