// Strings live in i18n/fr.js and i18n/en.js; French is the reference and the fallback. The
// language is the one the server put in <html lang> (?lang=, cookie, then the browser's).
import fr from '../i18n/fr.js';
import en from '../i18n/en.js';

const DICTIONARIES = { fr, en };
export const LANGS = ['fr', 'en'];
let lang = 'fr';
let plurals = new Intl.PluralRules('fr');

// A page opened from the static files directly (no server substitution) says "{{lang}}"; then
// the browser's own preference decides.
export function pageLang() {
  const attr = document.documentElement.getAttribute('lang') || '';
  if (LANGS.includes(attr)) return attr;
  const browser = (navigator.language || 'fr').slice(0, 2).toLowerCase();
  return LANGS.includes(browser) ? browser : 'fr';
}

export function setLang(value) {
  lang = LANGS.includes(value) ? value : 'fr';
  plurals = new Intl.PluralRules(lang);
  document.documentElement.lang = lang;
  return lang;
}

export function currentLang() {
  return lang;
}

function lookup(key) {
  const value = DICTIONARIES[lang][key] ?? DICTIONARIES.fr[key];
  if (value === undefined) {
    console.warn(`missing string ${key}`);
    return key;
  }
  return value;
}

// Plural entries are objects {one, other}; `count` picks the form.
export function t(key, params = {}) {
  let value = lookup(key);
  if (typeof value === 'object') {
    const n = typeof params.count === 'number' ? params.count : 10;
    value = value[plurals.select(n)] ?? value.other;
  }
  return value.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

function valid(iso) {
  const d = iso instanceof Date ? iso : new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatDateTime(iso) {
  const d = valid(iso);
  if (!d) return '—';
  return new Intl.DateTimeFormat(lang, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }).format(d);
}

export function formatTime(iso) {
  const d = valid(iso);
  return d ? new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(d) : '—';
}

// "today at 14:05", "yesterday at 09:10", otherwise the date: what people say aloud.
export function formatWhen(iso) {
  const d = valid(iso);
  if (!d) return '—';
  const dayStart = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((dayStart(new Date()) - dayStart(d)) / 86400000);
  const time = formatTime(d);
  if (days === 0) return t('when.today', { time });
  if (days === 1) return t('when.yesterday', { time });
  if (days === -1) return t('when.tomorrow', { time });
  return formatDateTime(d);
}
