// The app's service worker: shows pushed alerts (even when no tab is open), keeps them in
// IndexedDB so that they can be read offline, keeps a copy of the app's files for the same
// reason, and opens an alert's page when its notification is tapped.
/* global tocsinStore */
importScripts('/app/store.js');

const CACHE = 'tocsin-app-4';
// Everything the app needs to start and show already received alerts without a network.
const SHELL = [
  '/app/',
  '/app/app.css',
  '/app/store.js',
  '/app/main.js',
  '/app/manifest.webmanifest',
  '/app/core/api.js',
  '/app/core/device.js',
  '/app/core/frame.js',
  '/app/core/i18n.js',
  '/app/core/icons.js',
  '/app/core/map.js',
  '/app/core/nearby.js',
  '/app/core/push.js',
  '/app/core/tourist.js',
  '/app/core/ui.js',
  '/app/i18n/fr.json',
  '/app/i18n/en.json',
  '/app/pages/alert.js',
  '/app/pages/around.js',
  '/app/pages/home.js',
  '/app/pages/places.js',
  '/app/pages/settings.js',
  '/app/pages/station.js',
  '/app/pages/stations.js',
  '/app/views/alert-card.js',
  '/app/views/alert-view.js',
  '/app/views/enable-push.js',
  '/app/views/follow-button.js',
  '/app/views/self-test.js',
  '/app/views/story.js',
  '/app/views/test-devices.js',
  '/app/icons/icon-192.png',
  '/app/icons/badge-96.png',
  '/static/core/api.js',
  '/static/core/base.css',
  '/static/core/assets.js',
  '/static/core/dom.js',
  '/static/core/i18n.js',
  '/static/core/vocab.js',
  '/static/core/vocab-generated.js',
  '/static/console/favicon.svg',
  '/static/vendor/leaflet/leaflet.js',
  '/static/vendor/leaflet/leaflet.css',
];
// Past this, a slow network loses to the copy on the phone (the copy is refreshed anyway).
const NETWORK_PATIENCE_MS = 4000;

// The few words the notification itself shows, here so that a push never waits on a file; the
// shared vocabulary (core/vocab-generated.js, which the lists below repeat) is an ES module, which
// a classic service worker cannot import (tests/unit/test_frontend_core.py checks that they agree
// with it and with the app's dictionaries, i18n/*.json).
const WORDS = {
  fr: {
    Extreme: 'Extrême', Severe: 'Grave', Moderate: 'Modérée', Minor: 'Mineure', Unknown: 'Gravité inconnue', alert: 'Alerte', test: 'Tocsin : test',
    Update: 'Mise à jour', Cancel: 'Alerte annulée', exercise: 'EXERCICE', testMessage: 'TEST',
  },
  en: {
    Extreme: 'Extreme', Severe: 'Severe', Moderate: 'Moderate', Minor: 'Minor', Unknown: 'Unknown severity', alert: 'Alert', test: 'Tocsin: test',
    Update: 'Update', Cancel: 'Alert cancelled', exercise: 'EXERCISE', testMessage: 'TEST',
  },
};
const STATUSES = ['actual', 'exercise', 'test'];
const MSG_TYPES = ['Alert', 'Update', 'Cancel'];
const SEVERE = ['Extreme', 'Severe'];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // one file missing must not keep the worker (and notifications) from installing
    await Promise.all(SHELL.map((url) => cache.add(new Request(url, { cache: 'no-cache' })).catch((err) => {
      console.warn('not cached', url, err);
    })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith('tocsin-app-') && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

async function fromNetworkOrCopy(request, key) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then((response) => {
    if (response.ok) cache.put(key, response.clone());
    return response;
  });
  network.catch(() => {}); // a late failure, after the copy was served, is no error
  const copy = cache.match(key, { ignoreSearch: true });
  const slow = new Promise((resolve) => setTimeout(resolve, NETWORK_PATIENCE_MS));
  try {
    const first = await Promise.race([network, slow.then(() => copy)]);
    if (first) return first;
    return await network;
  } catch (err) {
    const cached = await copy;
    if (cached) return cached;
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // live data (the app keeps alerts itself) and map tiles go straight to the network
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    // the page is written by the server (app/routes/pages.py) at /app/; there is no index.html
    if (url.pathname === '/app/') event.respondWith(fromNetworkOrCopy(request, '/app/'));
    else if (url.pathname === '/app/index.html') event.respondWith(fromNetworkOrCopy(new Request('/app/'), '/app/'));
    return;
  }
  if (url.pathname.startsWith('/app/') || url.pathname.startsWith('/static/')) {
    event.respondWith(fromNetworkOrCopy(request, url.pathname));
  }
});

async function words() {
  let lang = null;
  try {
    lang = await tocsinStore.get('lang');
  } catch {
    lang = null;
  }
  lang = lang || (self.navigator.language || 'fr').slice(0, 2);
  return { lang: WORDS[lang] ? lang : 'fr', words: WORDS[lang] || WORDS.fr };
}

async function tellOpenWindows(message) {
  const windows = await self.clients.matchAll({ type: 'window' });
  windows.forEach((client) => client.postMessage(message));
}

async function showPush(data) {
  const { lang, words: w } = await words();
  if (data.kind === 'test') {
    await tocsinStore.set('testReceived', new Date().toISOString()).catch(() => {});
    await self.registration.showNotification(data.title || w.test, {
      body: data.body || '', tag: 'tocsin-test', lang, icon: '/app/icons/icon-192.png', badge: '/app/icons/badge-96.png',
      data: { url: '/app/#/settings', kind: 'test' },
    });
    await tellOpenWindows({ type: 'test' });
    return;
  }
  const severity = WORDS.fr[data.severity] ? data.severity : 'Unknown';
  const status = STATUSES.includes(data.status) ? data.status : 'actual';
  const msgType = MSG_TYPES.includes(data.msg_type) ? data.msg_type : 'Alert';
  const alert = {
    id: data.id, thread: data.thread || data.id, status, msg_type: msgType,
    station: data.station || '', title: data.title || w.alert, body: data.body || '',
    severity, category: data.category || null, sent: data.sent || new Date().toISOString(),
    expires: data.expires || null, url: data.url || `/alerts/${data.id}`, received: new Date().toISOString(),
  };
  if (alert.id) await tocsinStore.putAlert(alert).catch((err) => console.warn('alert not kept', err));
  await notify(await latestOfStory(alert), lang, w, alert);
  await tellOpenWindows({ type: 'alert', alert });
  await keepZone(alert.id);
}

// A message that arrives late (an alert pushed again after its cancel) must not bring the old
// words back: the notification always shows the latest message this phone has of the story.
async function latestOfStory(alert) {
  try {
    const kept = (await tocsinStore.alerts()).filter((a) => tocsinStore.threadOf(a) === alert.thread);
    const [latest] = tocsinStore.latestOfEachStory([alert, ...kept.filter((a) => a.id !== alert.id)]);
    return latest || alert;
  } catch {
    return alert;
  }
}

async function notify(shown, lang, w, arrived) {
  const severity = WORDS.fr[shown.severity] ? shown.severity : 'Unknown';
  const status = STATUSES.includes(shown.status) ? shown.status : 'actual';
  const msgType = MSG_TYPES.includes(shown.msg_type) ? shown.msg_type : 'Alert';
  const station = typeof shown.station === 'string' ? shown.station : (shown.station && shown.station.name) || '';
  // an exercise or a test never insists (no long vibration, no staying on screen), nor does an
  // all-clear; a live severe alert or its update does
  const live = status === 'actual';
  const insist = live && msgType !== 'Cancel' && SEVERE.includes(severity);
  const heading = [
    live ? null : w[status === 'test' ? 'testMessage' : 'exercise'],
    msgType === 'Alert' ? null : w[msgType],
    msgType === 'Cancel' ? null : w[severity],
    station,
  ].filter(Boolean).join(' · ');
  // One notification per story: an update or a cancel takes the place of what the phone shows
  // (same tag), and says so again (renotify) rather than changing silently.
  const tag = arrived.thread || undefined;
  await self.registration.showNotification(shown.title, {
    body: shown.body ? `${heading}\n${shown.body}` : heading,
    tag,
    renotify: Boolean(tag) && msgType !== 'Alert' && shown === arrived,
    requireInteraction: insist,
    vibrate: insist ? [400, 200, 400, 200, 400] : undefined,
    timestamp: Date.parse(shown.sent) || Date.now(),
    lang,
    icon: '/app/icons/icon-192.png',
    badge: '/app/icons/badge-96.png',
    data: { url: shown.url || `/alerts/${shown.id}`, id: shown.id, thread: arrived.thread, station, severity, status, msg_type: msgType },
  });
}

// A push carries no zone (it must fit in 4 KB): fetched now, while the phone is online, so that
// the alert's map can be drawn later without a network.
async function keepZone(id) {
  if (!id) return;
  try {
    const response = await fetch(`/api/v1/alerts/${encodeURIComponent(id)}/public`, { headers: { Accept: 'application/json' } });
    if (response.ok) await tocsinStore.putAlert(await response.json());
  } catch {
    // offline right now: the app fetches it when the alert is opened
  }
}

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(showPush(data));
});

// Tapping a notification: the alert's page, in the app's window if one is open. Offline the
// public page cannot load, so the app shows the copy kept on the phone instead.
async function openFromNotification(data) {
  let target = data.url || '/app/';
  if (data.id && self.navigator.onLine === false) target = `/app/#/alert/${encodeURIComponent(data.id)}`;
  const url = new URL(target, self.location.origin).href;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const already = windows.find((c) => c.url === url);
  if (already) return already.focus();
  const app = windows.find((c) => new URL(c.url).pathname.startsWith('/app/'));
  if (app) {
    try {
      await app.focus();
    } catch {
      // focusing is only allowed right after a tap; navigating still is
    }
    try {
      // resolves to null when the page it goes to is outside the worker's scope (/alerts/…)
      await app.navigate(url);
      return null;
    } catch {
      // a window this worker does not control cannot be navigated: open a new one
    }
  }
  return self.clients.openWindow(url);
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openFromNotification(event.notification.data || {}));
});

// The browser renewed the subscription on its own: register the new one with the same choices,
// or alerts would stop arriving without anyone noticing.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil((async () => {
    const old = event.oldSubscription;
    const fresh = event.newSubscription || (old && await self.registration.pushManager.subscribe(old.options));
    if (!fresh) return;
    const [follows, places, nearby, lang] = await Promise.all(['follows', 'places', 'nearby', 'lang'].map((k) => tocsinStore.get(k)));
    const json = fresh.toJSON();
    const response = await fetch('/api/v1/devices', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        platform: 'webpush', subscription: { endpoint: json.endpoint, keys: json.keys }, locale: lang || 'fr',
        places: (places || []).map(({ kind, lat, lon }) => ({ kind, lat, lon })),
        follow: (follows || []).map((f) => (f.categories ? { station: f.slug, categories: f.categories } : f.slug)),
        nearby: Boolean(nearby && nearby.on),
      }),
    });
    if (response.ok) {
      const answer = await response.json();
      await tocsinStore.set('device', { id: answer.id, secret: answer.secret, endpoint: json.endpoint });
    }
  })());
});
