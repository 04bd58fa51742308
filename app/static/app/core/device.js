// What this phone has chosen (stations, places, "alerts around me") and its registration with
// the server. Choices made before notifications are on are kept on the phone and sent with the
// registration; afterwards the server is told first and the phone remembers only what it took.
import { api, ApiError } from './api.js';
import { currentLang, t } from './i18n.js';

const store = globalThis.tocsinStore;
const listeners = new Set();
let state = { device: null, follows: [], places: [], nearby: { on: false } };

export class DeviceLost extends ApiError {
  constructor() {
    super(404, 'device-lost', t('device.lost'));
  }
}

export async function init() {
  const [device, follows, places, nearby] = await Promise.all(
    ['device', 'follows', 'places', 'nearby'].map((key) => store.get(key)));
  state = { device: device || null, follows: follows || [], places: places || [], nearby: nearby || { on: false } };
  emit();
  return state;
}

export function current() {
  return state;
}

export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit() {
  for (const listener of listeners) listener(state);
}

async function save(key, value) {
  await store.set(key, value);
  state = { ...state, [key]: value };
  emit();
}

// The server no longer knows this device (erased, or its secret replaced by another install):
// the phone forgets it but keeps its choices, so that turning notifications on again restores them.
async function forgetDevice() {
  await store.remove('device');
  state = { ...state, device: null, nearby: { on: false } };
  await store.set('nearby', state.nearby);
  emit();
}

async function call(method, suffix, body) {
  const { device } = state;
  try {
    return await api(method, `/api/v1/devices/${encodeURIComponent(device.id)}${suffix}`, body, { secret: device.secret });
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 401)) {
      await forgetDevice();
      throw new DeviceLost();
    }
    throw err;
  }
}

export const followsBody = (follows) =>
  follows.map((f) => (f.categories ? { station: f.slug, categories: f.categories } : f.slug));

const placesBody = (places) => places.map(({ kind, lat, lon }) => ({ kind, lat, lon }));

export function isFollowed(slug) {
  return state.follows.some((f) => f.slug === slug);
}

export function followOf(slug) {
  return state.follows.find((f) => f.slug === slug) || null;
}

export async function setFollows(follows) {
  if (state.device) await call('PUT', '/follows', { follow: followsBody(follows) });
  await save('follows', follows);
}

export async function follow(station, categories = null) {
  const others = state.follows.filter((f) => f.slug !== station.slug);
  await setFollows([...others, { slug: station.slug, name: station.name, kind: station.kind, categories }]);
}

export async function unfollow(slug) {
  await setFollows(state.follows.filter((f) => f.slug !== slug));
}

export async function setPlaces(places) {
  if (state.device) await call('PUT', '/places', { places: placesBody(places) });
  await save('places', places);
}

export async function register(subscription) {
  const json = typeof subscription.toJSON === 'function' ? subscription.toJSON() : subscription;
  const old = state.device;
  if (old && old.endpoint !== json.endpoint) {
    // the browser gave a new subscription: the old device would only collect failed pushes
    try {
      await api('DELETE', `/api/v1/devices/${encodeURIComponent(old.id)}`, undefined, { secret: old.secret });
    } catch {
      // already gone, or offline: the server drops it at its first failed push anyway
    }
  }
  const body = {
    platform: 'webpush',
    subscription: { endpoint: json.endpoint, keys: json.keys },
    locale: currentLang(),
    places: placesBody(state.places),
    follow: followsBody(state.follows),
    nearby: Boolean(state.nearby.on),
  };
  const answer = await api('POST', '/api/v1/devices', body);
  await save('device', { id: answer.id, secret: answer.secret, endpoint: json.endpoint });
  return state.device;
}

// Checks with the server that this phone is still registered; quiet when offline.
export async function check() {
  if (!state.device) return null;
  try {
    return await call('GET', '');
  } catch (err) {
    if (err instanceof DeviceLost) return null;
    return undefined;
  }
}

export async function sendPosition(lat, lon) {
  const answer = await call('PUT', '/location', { lat, lon, nearby: true });
  await save('nearby', { on: true, sentAt: new Date().toISOString(), expiresAt: answer.expires_at || null });
  return state.nearby;
}

export async function stopNearby() {
  if (state.device) {
    try {
      await call('PUT', '/location', { nearby: false });
    } catch (err) {
      if (!(err instanceof DeviceLost)) throw err;
    }
  }
  await save('nearby', { on: false });
}

export async function markNearbyWanted() {
  await save('nearby', { ...state.nearby, on: true });
}

export async function activeAlerts() {
  return (await call('GET', '/alerts')).alerts || [];
}

export async function requestTest() {
  return call('POST', '/test');
}

export async function testResult() {
  return call('GET', '/test');
}

// Test phones (operators only): a code shown in the console makes this phone receive the
// station's exercises and tests too.
export async function testStations() {
  return (await call('GET', '/test-stations')).stations || [];
}

export async function enrolAsTestPhone(code) {
  return (await call('POST', '/test-stations', { code })).station;
}

export async function leaveTestStation(slug) {
  const { device } = state;
  try {
    await api('DELETE', `/api/v1/devices/${encodeURIComponent(device.id)}/test-stations/${encodeURIComponent(slug)}`,
      undefined, { secret: device.secret });
  } catch (err) {
    // 404 also says "not a test phone of that station (any more)": done, unless the device is gone
    if (!(err instanceof ApiError && err.status === 404)) throw err;
    if ((await check()) === null && !state.device) throw new DeviceLost();
  }
}

// "Delete my data": the server first (so that nothing is left there if the phone is wiped
// half-way), then everything the phone kept.
export async function erase() {
  if (state.device) {
    try {
      await call('DELETE', '');
    } catch (err) {
      if (!(err instanceof DeviceLost)) throw err;
    }
  }
  await store.clear();
  state = { device: null, follows: [], places: [], nearby: { on: false } };
  emit();
}
