// IndexedDB shared by the page and the service worker: the device's id and secret, the choices
// made before the device exists, and the alerts received (shown offline).
// A classic script, not a module, because a service worker loads it with importScripts and
// module service workers are not available in every browser that has Web Push.
(function (scope) {
  'use strict';

  const NAME = 'tocsin';
  const VERSION = 1;
  // a received alert is kept this long after it expired, then dropped
  const KEEP_EXPIRED_MS = 7 * 24 * 3600 * 1000;
  let opening = null;

  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = indexedDB.open(NAME, VERSION);
        request.onupgradeneeded = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
          if (!db.objectStoreNames.contains('alerts')) db.createObjectStore('alerts', { keyPath: 'id' });
        };
        request.onsuccess = () => {
          const db = request.result;
          // another tab or a new service worker wants a newer schema: let it
          db.onversionchange = () => { db.close(); opening = null; };
          resolve(db);
        };
        request.onerror = () => { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  async function run(storeName, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(storeName, mode);
      let result;
      const request = work(tx.objectStore(storeName));
      if (request) request.onsuccess = () => { result = request.result; };
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  // An alert's story (its thread): the first message, then its updates and its cancel. Each one
  // is kept; lists show the story once, as its latest message says it is.
  const threadOf = (alert) => alert.thread || alert.id;
  const ORDER = { Alert: 0, Update: 1, Cancel: 2 };
  const later = (a, b) => String(a.sent || '').localeCompare(String(b.sent || ''))
    || (ORDER[a.msg_type] || 0) - (ORDER[b.msg_type] || 0);
  // a story is over once cancelled or replaced, whatever its expiry says
  const isOver = (alert) => alert.msg_type === 'Cancel' || alert.state === 'cancelled' || alert.state === 'replaced'
    || alert.active === false;
  const isActive = (alert, now) => !isOver(alert) && (!alert.expires || Date.parse(alert.expires) > now);

  function latestOfEachStory(alerts) {
    const stories = new Map();
    for (const alert of alerts) {
      const key = threadOf(alert);
      const seen = stories.get(key);
      if (!seen || later(alert, seen) > 0) stories.set(key, alert);
    }
    return [...stories.values()];
  }

  // An update or a cancel arrived: the earlier messages of its story say so (read offline, an
  // old message must not look like a live alert any more).
  async function supersede(latest) {
    const all = (await run('alerts', 'readonly', (s) => s.getAll())) || [];
    const earlier = all.filter((a) => a.id !== latest.id && threadOf(a) === threadOf(latest) && later(latest, a) > 0
      && a.replaced_by !== latest.id);
    if (!earlier.length) return;
    const state = latest.msg_type === 'Cancel' ? 'cancelled' : 'replaced';
    await run('alerts', 'readwrite', (s) => {
      earlier.forEach((a) => s.put(Object.assign({}, a, { state, replaced_by: latest.id, active: false })));
    });
  }

  scope.tocsinStore = {
    get: (key) => run('kv', 'readonly', (s) => s.get(key)),
    set: (key, value) => run('kv', 'readwrite', (s) => s.put(value, key)),
    remove: (key) => run('kv', 'readwrite', (s) => s.delete(key)),

    // an alert as pushed or as the API gives it; `received` says when this phone got it
    async putAlert(alert) {
      const previous = await run('alerts', 'readonly', (s) => s.get(alert.id));
      const merged = Object.assign({}, previous || {}, alert);
      await run('alerts', 'readwrite', (s) => s.put(merged));
      if (merged.msg_type === 'Update' || merged.msg_type === 'Cancel') await supersede(merged);
    },
    getAlert: (id) => run('alerts', 'readonly', (s) => s.get(id)),

    // every message kept, newest first; `stories`: only the latest message of each story
    async alerts({ activeOnly = false, stories = false } = {}) {
      let all = (await run('alerts', 'readonly', (s) => s.getAll())) || [];
      if (stories) all = latestOfEachStory(all);
      const now = Date.now();
      return all
        .filter((a) => !activeOnly || isActive(a, now))
        .sort((a, b) => String(b.sent || '').localeCompare(String(a.sent || '')));
    },
    latestOfEachStory,
    threadOf,
    isActive: (alert) => isActive(alert, Date.now()),

    async prune() {
      const limit = Date.now() - KEEP_EXPIRED_MS;
      const all = (await run('alerts', 'readonly', (s) => s.getAll())) || [];
      const old = all.filter((a) => a.expires && Date.parse(a.expires) < limit);
      if (old.length) await run('alerts', 'readwrite', (s) => { old.forEach((a) => s.delete(a.id)); });
      return old.length;
    },

    // "delete my data": the stores are emptied rather than the database deleted, because the
    // service worker may hold it open and a deletion would wait for it
    async clear() {
      await run('kv', 'readwrite', (s) => s.clear());
      await run('alerts', 'readwrite', (s) => s.clear());
    },
  };
})(self);
