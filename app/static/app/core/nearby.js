// "Alerts around me" while the app is open: the position goes to the server when the app
// starts, then after a real move or every few minutes, so that the server's copy (forgotten
// after 24 h) follows the phone without tracking every step.
import * as device from './device.js';

const MOVED_M = 250;
const EVERY_MS = 5 * 60 * 1000;
const CHECK_MS = 60 * 1000;

let watchId = null;
let timer = null;
let last = null; // {lat, lon, at} of the last position the server took
let sending = false;
let status = { state: 'off', error: null };
const listeners = new Set();

export function onStatus(listener) {
  listeners.add(listener);
  listener(status);
  return () => listeners.delete(listener);
}

function setStatus(next) {
  status = { ...status, ...next };
  for (const listener of listeners) listener(status);
}

export function distanceM(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(s));
}

async function send(position, force = false) {
  const here = { lat: position.coords.latitude, lon: position.coords.longitude };
  const due = !last || force || Date.now() - last.at >= EVERY_MS || distanceM(last, here) >= MOVED_M;
  if (!due || sending) return;
  sending = true;
  try {
    await device.sendPosition(here.lat, here.lon);
    last = { ...here, at: Date.now() };
    setStatus({ state: 'on', error: null });
  } catch (err) {
    if (err instanceof device.DeviceLost) stop(); // nothing to send positions for any more
    setStatus({ state: 'error', error: err });
  } finally {
    sending = false;
  }
}

function failed(err) {
  // err.code: 1 permission denied, 2 position unavailable, 3 timeout
  if (err.code === 1) stop(); // refused: asking again every minute would only nag
  setStatus({ state: 'error', error: { geolocation: err.code || 2 } });
}

export function running() {
  return watchId !== null;
}

export function start() {
  if (running() || !('geolocation' in navigator)) {
    if (!('geolocation' in navigator)) setStatus({ state: 'error', error: { geolocation: 2 } });
    return;
  }
  setStatus({ state: 'locating', error: null });
  const options = { enableHighAccuracy: false, maximumAge: 60_000, timeout: 30_000 };
  watchId = navigator.geolocation.watchPosition((p) => send(p), failed, options);
  // watchPosition stays silent while the phone does not move: the timer keeps the 24 h alive
  timer = setInterval(() => {
    if (last && Date.now() - last.at >= EVERY_MS) {
      navigator.geolocation.getCurrentPosition((p) => send(p, true), failed, options);
    }
  }, CHECK_MS);
}

export function stop() {
  if (watchId !== null) navigator.geolocation.clearWatch(watchId);
  clearInterval(timer);
  watchId = null;
  timer = null;
  last = null;
  setStatus({ state: 'off' });
}

// One position, asked for from a tap (the browser's permission prompt needs one).
export function locateOnce() {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject({ geolocation: 2 });
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude }),
      (err) => reject({ geolocation: err.code || 2 }),
      { enableHighAccuracy: false, maximumAge: 60_000, timeout: 30_000 });
  });
}
