// Entry point of the app: language, service worker, the phone's saved choices, the tourist
// link, then one screen per location.hash.
//
// The core shared with the console (app/static/core/) is imported as ../../static/core/… from
// here (one more ../ from the folders below): on disk that is app/static/core/, and the browser,
// which loads this file as /app/main.js, resolves it to /static/core/ (a URL never climbs above
// its root). The service worker keeps a copy of those files too (sw.js).
import { clear, h } from '../../static/core/dom.js';
import { pageLang, setLang, t } from './core/i18n.js';
import * as device from './core/device.js';
import * as nearby from './core/nearby.js';
import { registerWorker } from './core/push.js';
import { renderFrame, setActive } from './core/frame.js';
import { notice } from './core/ui.js';
import { openTouristLink } from './core/tourist.js';

const ROUTES = [
  [/^\/?$/, 'alerts', () => import('./pages/home.js')],
  [/^\/stations\/?$/, 'stations', () => import('./pages/stations.js')],
  [/^\/stations\/([^/]+)\/?$/, 'stations', () => import('./pages/station.js')],
  [/^\/places\/?$/, 'places', () => import('./pages/places.js')],
  [/^\/around\/?$/, 'around', () => import('./pages/around.js')],
  [/^\/settings\/?$/, 'settings', () => import('./pages/settings.js')],
  [/^\/alert\/([^/]+)\/?$/, 'alerts', () => import('./pages/alert.js')],
];

let main = null;
let cleanup = null;
let firstScreen = true;
let generation = 0;

async function show() {
  const path = decodeURIComponent(location.hash.replace(/^#/, '')) || '/';
  const route = ROUTES.find(([pattern]) => pattern.test(path));
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  const mine = ++generation;
  clear(main);
  if (!route) {
    setActive(null);
    main.append(h('h1', { tabindex: '-1' }, t('notfound.title')), h('p', {}, h('a', { href: '#/' }, t('notfound.back'))));
    return;
  }
  const [pattern, section, load] = route;
  setActive(section);
  try {
    const module = await load();
    if (mine !== generation) return;
    cleanup = (await module.render(main, path.match(pattern).slice(1))) || null;
  } catch (err) {
    console.error(err);
    if (mine === generation) main.append(notice('error', t('error.unexpected')));
  }
  if (mine !== generation) return;
  const heading = main.querySelector('h1');
  if (heading) document.title = `${heading.textContent} · ${t('app.name')}`;
  // screen readers start on the new screen's title; the first screen starts at the top as usual
  if (!firstScreen && heading) heading.focus({ preventScroll: true });
  firstScreen = false;
  window.scrollTo(0, 0);
}

async function start() {
  setLang(pageLang());
  registerWorker();
  await device.init();
  globalThis.tocsinStore.set('lang', document.documentElement.lang).catch(() => {});
  globalThis.tocsinStore.prune().catch(() => {});
  main = renderFrame();
  await openTouristLink();
  if (device.current().nearby.on && device.current().device) nearby.start();
  // alerts pushed while the app is open: the screens listening refresh themselves
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener('message', (event) => {
      if (event.data && event.data.type === 'alert') window.dispatchEvent(new CustomEvent('tocsin:alert', { detail: event.data.alert }));
    });
  }
  window.addEventListener('hashchange', show);
  await show();
  device.check(); // in the background: finds out if the server forgot this phone
}

start();
