// The link on a station's poster (/app/?station=slug&around=1): a visitor follows that commune
// at once and lands on "alerts around me", the one screen they need.
import { api } from './api.js';
import * as device from './device.js';

const KEY = 'tocsin.tourist';

export async function openTouristLink() {
  const params = new URLSearchParams(location.search);
  const slug = params.get('station');
  if (!slug) return;
  const around = params.get('around') === '1';
  const welcome = { slug, around, name: null, error: null };
  try {
    const { station } = await api('GET', `/api/v1/stations/${encodeURIComponent(slug)}/posts`);
    welcome.name = station.name;
    if (around && !device.isFollowed(station.slug)) await device.follow(station);
  } catch (err) {
    welcome.error = err.status === 404 ? 'unknown' : err.message || 'unexpected';
  }
  sessionStorage.setItem(KEY, JSON.stringify(welcome));
  // a reload must not follow the station again after the visitor chose to stop
  params.delete('station');
  params.delete('around');
  const query = params.toString();
  const target = around ? '#/around' : `#/stations/${encodeURIComponent(slug)}`;
  history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}${target}`);
}

export function touristWelcome() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || 'null');
  } catch {
    return null;
  }
}

export function dismissWelcome() {
  sessionStorage.removeItem(KEY);
}
