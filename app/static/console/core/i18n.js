// Strings live in i18n/fr.js and i18n/en.js; French is the reference (and the fallback).
import fr from '../i18n/fr.js';
import en from '../i18n/en.js';

const DICTIONARIES = { fr, en };
export const LANGS = ['fr', 'en'];
let lang = 'fr';
let plurals = new Intl.PluralRules('fr');
let numbers = new Intl.NumberFormat('fr');

export function setLang(value) {
  lang = LANGS.includes(value) ? value : 'fr';
  plurals = new Intl.PluralRules(lang);
  numbers = new Intl.NumberFormat(lang);
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

// Plural entries are objects {one, other}; `count` picks the form ("<10" counts as many).
export function t(key, params = {}) {
  let value = lookup(key);
  if (typeof value === 'object') {
    const n = typeof params.count === 'number' ? params.count : 10;
    value = value[plurals.select(n)] ?? value.other;
  }
  return value.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    const v = params[name];
    return typeof v === 'number' ? numbers.format(v) : String(v);
  });
}

export function formatNumber(n) {
  return numbers.format(n);
}

// The API gives small counts as the string "<10" so that nobody can single out a household.
export function formatCount(value) {
  if (typeof value === 'number') return numbers.format(value);
  if (value === '<10') return t('count.fewerThan10');
  return String(value ?? '—');
}

export function formatDateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function formatTime(d) {
  return new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(d);
}

export function languageName(code) {
  try {
    const name = new Intl.DisplayNames([lang], { type: 'language' }).of(code);
    return name ? name.charAt(0).toLocaleUpperCase(lang) + name.slice(1) : code;
  } catch {
    return code;
  }
}
