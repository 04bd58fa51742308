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

  const isActive = (alert, now) => !alert.expires || Date.parse(alert.expires) > now;

  scope.tocsinStore = {
    get: (key) => run('kv', 'readonly', (s) => s.get(key)),
    set: (key, value) => run('kv', 'readwrite', (s) => s.put(value, key)),
    remove: (key) => run('kv', 'readwrite', (s) => s.delete(key)),

    // an alert as pushed or as the API gives it; `received` says when this phone got it
    async putAlert(alert) {
      const previous = await run('alerts', 'readonly', (s) => s.get(alert.id));
      const merged = Object.assign({}, previous || {}, alert);
      return run('alerts', 'readwrite', (s) => s.put(merged));
    },
    getAlert: (id) => run('alerts', 'readonly', (s) => s.get(id)),

    async alerts({ activeOnly = false } = {}) {
      const all = (await run('alerts', 'readonly', (s) => s.getAll())) || [];
      const now = Date.now();
      return all
        .filter((a) => !activeOnly || isActive(a, now))
        .sort((a, b) => String(b.sent || '').localeCompare(String(a.sent || '')));
    },

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
