// The first screen: what is going on now (active alerts, on a map and as a list), and until
// everything is set up, the three steps that make alerts reach this phone.
import { announce, h, clear } from '../../../static/core/dom.js';
import { t } from '../core/i18n.js';
import { api } from '../core/api.js';
import * as device from '../core/device.js';
import * as push from '../core/push.js';
import { createMap, placeMarker, zoneLayer } from '../core/map.js';
import { icon } from '../core/icons.js';
import { notice, pageTitle } from '../core/ui.js';
import { alertCard, isActive } from '../views/alert-card.js';
import { enablePushButton } from '../views/enable-push.js';

const store = globalThis.tocsinStore;

function step(number, done, title, action) {
  return h('li', { class: `setup-step ${done ? 'is-done' : ''}` },
    h('span', { class: 'setup-mark' }, done ? icon('check') : h('span', { 'aria-hidden': 'true' }, String(number)),
      h('span', { class: 'visually-hidden' }, done ? t('setup.done') : t('setup.todo'))),
    h('div', { class: 'setup-text' }, h('p', { class: 'setup-title' }, title), done ? null : action));
}

async function setupSection(onChange) {
  const { follows, places } = device.current();
  const pushOn = (await push.state()) === 'on';
  if (follows.length && pushOn && places.length) {
    return h('p', { class: 'status-line' }, icon('check', 'icon icon-small'),
      t('setup.summary', { stations: t('count.stations', { count: follows.length }), places: t('count.places', { count: places.length }) }));
  }
  return h('section', { class: 'card setup', 'aria-labelledby': 'setup-title' },
    h('h2', { id: 'setup-title' }, t('setup.title')),
    h('p', {}, t('setup.intro')),
    h('ol', { class: 'setup-steps' },
      step(1, follows.length > 0, t('setup.follow'), h('a', { class: 'button button-primary', href: '#/stations' }, t('setup.followAction'))),
      step(2, pushOn, t('setup.push'), enablePushButton({ onEnabled: onChange })),
      step(3, places.length > 0, t('setup.places'), h('a', { class: 'button button-secondary', href: '#/places' }, t('setup.placesAction')))));
}

const RECENT_MS = 24 * 3600 * 1000;

// Alerts for this phone: the server's list when it answers, plus what the phone received
// (offline, that is all there is). Without notifications, the active posts of followed stations.
// Each story (an alert, its updates, its cancel) is shown once, as its latest message says.
async function loadAlerts() {
  const kept = await store.alerts();
  const { device: registered, follows } = device.current();
  let fresh = [];
  let failure = null;
  try {
    if (registered) {
      fresh = await device.activeAlerts();
      await Promise.all(fresh.map((a) => store.putAlert(a)));
    } else {
      const answers = await Promise.all(follows.map((f) => api('GET', `/api/v1/stations/${encodeURIComponent(f.slug)}/posts`)));
      fresh = answers.flatMap((a) => a.posts).filter(isActive);
    }
  } catch (err) {
    failure = err;
  }
  const byId = new Map(kept.map((a) => [a.id, a]));
  for (const a of fresh) byId.set(a.id, { ...byId.get(a.id), ...a });
  const newestFirst = (a, b) => String(b.sent).localeCompare(String(a.sent));
  const stories = store.latestOfEachStory([...byId.values()]);
  const alerts = stories.filter(isActive).sort(newestFirst);
  // what this phone received that was cancelled or ended in the last day: "is it over?"
  const since = Date.now() - RECENT_MS;
  const recent = (a) => Date.parse(a.sent) > since || (a.expires && Date.parse(a.expires) > since);
  const ended = stories.filter((a) => !isActive(a) && a.received && recent(a)).sort(newestFirst).slice(0, 5);
  return { alerts, ended, failure };
}

export async function render(main) {
  const setupBox = h('div', { class: 'setup-box' });
  const listBox = h('div', { class: 'alerts-box' });
  const mapBox = h('div', { class: 'map map-alerts', id: 'alerts-map', hidden: true });
  const endedBox = h('section', { class: 'ended-box', 'aria-labelledby': 'ended-title', hidden: true });
  main.append(pageTitle(t('home.title')), setupBox,
    h('section', { 'aria-labelledby': 'alerts-title' }, h('h2', { id: 'alerts-title', class: 'visually-hidden' }, t('home.listTitle')), listBox, mapBox),
    endedBox);
  let map = null;
  let alive = true;

  async function refreshSetup() {
    const section = await setupSection(refreshAll);
    if (alive) clear(setupBox, section);
  }

  async function refreshAlerts() {
    const { alerts, ended, failure } = await loadAlerts();
    if (!alive) return;
    endedBox.hidden = ended.length === 0;
    clear(endedBox, h('h2', { id: 'ended-title' }, t('home.endedTitle')),
      h('ul', { class: 'alert-list' }, ended.map((a) => alertCard(a))));
    clear(listBox);
    if (failure) listBox.append(notice('info', failure.offline ? t('home.offline') : failure.message));
    if (!alerts.length) {
      listBox.append(h('p', { class: 'empty' }, device.current().follows.length ? t('home.none') : t('home.noneYet')));
    } else {
      listBox.append(h('p', { class: 'muted' }, t('home.count', { count: alerts.length })),
        h('ul', { class: 'alert-list' }, alerts.map((a) => alertCard(a))));
    }
    await drawMap(alerts.filter((a) => a.zone));
  }

  async function drawMap(zoned) {
    mapBox.hidden = zoned.length === 0;
    if (!zoned.length) return;
    try {
      if (!map) map = await createMap(mapBox, { label: t('home.mapLabel') });
      const { L, map: leaflet } = map;
      leaflet.eachLayer((layer) => { if (!(layer instanceof L.TileLayer)) leaflet.removeLayer(layer); });
      const group = L.featureGroup();
      for (const alert of zoned) {
        const layer = zoneLayer(L, alert.zone, alert.severity);
        if (!layer) continue;
        layer.bindTooltip(alert.title);
        layer.on('click', () => { location.hash = `#/alert/${encodeURIComponent(alert.id)}`; });
        group.addLayer(layer);
      }
      for (const place of device.current().places) group.addLayer(placeMarker(L, place));
      group.addTo(leaflet);
      leaflet.fitBounds(group.getBounds(), { padding: [20, 20], maxZoom: 15 });
    } catch (err) {
      console.warn(err);
      mapBox.hidden = true;
    }
  }

  async function refreshAll() {
    await Promise.all([refreshSetup(), refreshAlerts()]);
  }

  // the list is redrawn silently; a screen reader hears only what is new
  const onAlert = (event) => {
    if (event.detail && event.detail.title) announce(t('home.newAlert', { title: event.detail.title }));
    refreshAlerts();
  };
  window.addEventListener('tocsin:alert', onAlert);
  await refreshAll();
  return () => {
    alive = false;
    window.removeEventListener('tocsin:alert', onAlert);
    if (map) map.map.remove();
  };
}
