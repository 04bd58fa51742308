// The service worker, the notification permission and the push subscription; and, when push
// cannot work here, which of the reasons people can act on applies.
import { api } from './api.js';
import * as device from './device.js';

const SCOPE = '/app/';
const WORKER_TIMEOUT_MS = 10_000;

export class PushProblem extends Error {
  constructor(reason) {
    super(reason);
    this.reason = reason;
  }
}

export function platform() {
  const ua = navigator.userAgent || '';
  // iPadOS presents itself as a Mac; a Mac has no touch screen
  const ios = /iPad|iPhone|iPod/.test(ua) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  const standalone = navigator.standalone === true || window.matchMedia('(display-mode: standalone)').matches;
  return { ios, standalone };
}

// 'ok', or why notifications cannot be turned on here. On iPhone and iPad, Web Push exists only
// in a web app added to the home screen (iOS 16.4 and later): Safari's tabs have no PushManager.
export function availability() {
  if (!window.isSecureContext) return 'insecure';
  const { ios, standalone } = platform();
  if (ios && !standalone) return 'ios-install';
  if (!('serviceWorker' in navigator)) return ios ? 'ios-update' : 'no-worker';
  if (!('PushManager' in window) || !('Notification' in window)) return ios ? 'ios-update' : 'no-push';
  if (Notification.permission === 'denied') return 'denied';
  return 'ok';
}

export function registerWorker() {
  if (!('serviceWorker' in navigator)) return Promise.resolve(null);
  return navigator.serviceWorker.register('/app/sw.js', { scope: SCOPE }).catch((err) => {
    console.warn('service worker not registered', err);
    return null;
  });
}

async function workerRegistration() {
  const registration = await navigator.serviceWorker.getRegistration(SCOPE) || await registerWorker();
  if (!registration) throw new PushProblem('no-worker');
  if (registration.active) return registration;
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new PushProblem('no-worker')), WORKER_TIMEOUT_MS));
  return Promise.race([navigator.serviceWorker.ready, timeout]);
}

function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function sameKey(buffer, base64url) {
  if (!buffer) return true; // the browser does not say: trust the subscription
  const a = new Uint8Array(buffer);
  const b = keyBytes(base64url);
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export async function subscription() {
  if (availability() !== 'ok' || !navigator.serviceWorker) return null;
  const registration = await navigator.serviceWorker.getRegistration(SCOPE);
  return registration ? registration.pushManager.getSubscription() : null;
}

// 'on' | 'off' | 'lost' (the server or the browser forgot us) | a reason from availability().
export async function state() {
  const why = availability();
  if (why !== 'ok') return why;
  const { device: registered } = device.current();
  if (Notification.permission !== 'granted') return registered ? 'lost' : 'off';
  const sub = await subscription();
  if (!registered) return sub ? 'lost' : 'off';
  if (!sub || sub.endpoint !== registered.endpoint) return 'lost';
  return 'on';
}

// Must run from a tap or a click: browsers (Safari first) refuse to ask for permission otherwise,
// and asking is the first thing done here so that no await comes between the gesture and it.
export async function enable({ fresh = false } = {}) {
  const why = availability();
  if (why !== 'ok') throw new PushProblem(why);
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new PushProblem(permission === 'denied' ? 'denied' : 'dismissed');
  const registration = await workerRegistration();
  const { publicKey } = await api('GET', '/api/v1/push/vapid');
  let sub = await registration.pushManager.getSubscription();
  if (sub && fresh) {
    await sub.unsubscribe(); // the push service refused it: only a new one can work
    sub = null;
  }
  if (sub && !sameKey(sub.options && sub.options.applicationServerKey, publicKey)) {
    await sub.unsubscribe(); // made for another server key: pushes signed with ours would be refused
    sub = null;
  }
  if (!sub) {
    try {
      sub = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
    } catch (err) {
      console.warn('push subscription refused', err);
      throw new PushProblem('subscribe');
    }
  }
  return device.register(sub);
}

export async function unsubscribe() {
  try {
    const sub = await subscription();
    if (sub) await sub.unsubscribe();
  } catch (err) {
    console.warn('could not unsubscribe', err);
  }
}
