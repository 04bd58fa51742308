// How the console reads a received CAP alert: its mode, its headline, its texts, its reach.
import { currentLang, t } from '../core/i18n.js';

// CAP's status → the console's mode; System and Draft messages cannot be rebroadcast
export const MODES = { Actual: 'actual', Exercise: 'exercise', Test: 'test' };

// the headline in the console's language if the document has one, else its first
export function headlineOf(item) {
  const headlines = item.headline || {};
  return headlines[currentLang()] || Object.values(headlines)[0] || item.identifier;
}

export function textsOf(item) {
  const texts = item.texts || Object.fromEntries(Object.entries(item.headline || {}).map(([code, title]) => [code, { title, body: '' }]));
  return Object.entries(texts);
}

export function isExpired(item) {
  return Boolean(item.expires) && new Date(item.expires).getTime() <= Date.now();
}

// municipality + area + live: the operator chooses; otherwise the only reach there is
export function audienceChoices(station, item) {
  return station.kind === 'municipality' && item.zone && MODES[item.status] === 'actual';
}

export function reachText(station, item, audience) {
  if (MODES[item.status] && MODES[item.status] !== 'actual') return t('confirm.testDevicesOnly');
  return audience === 'everyone' ? t('audience.everyone') : t('audience.followersOf', { station: station.name });
}
