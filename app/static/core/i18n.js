// The translation engine both front-ends share. Each app makes its own with its dictionaries
// (`createI18n({ fr, en })` in its core/i18n.js); the first language given is the reference and
// the fallback: a key missing from another language shows the reference's words.
//
// Plural entries are objects {one, other}; `count` picks the form (a count that is not a number,
// such as the API's "<10", counts as many). Numbers in a text are written the language's way.

export function createI18n(dictionaries, { dateTime = { dateStyle: 'medium', timeStyle: 'short' } } = {}) {
  const LANGS = Object.keys(dictionaries);
  const [reference] = LANGS;
  let lang = reference;
  let plurals = new Intl.PluralRules(lang);
  let numbers = new Intl.NumberFormat(lang);

  function setLang(value) {
    lang = LANGS.includes(value) ? value : reference;
    plurals = new Intl.PluralRules(lang);
    numbers = new Intl.NumberFormat(lang);
    document.documentElement.lang = lang;
    return lang;
  }

  const currentLang = () => lang;

  // The language the server put in <html lang> (?lang=, cookie, then the browser's). A page
  // opened from the static files directly says "{{lang}}": then the browser's own preference.
  function pageLang() {
    const attr = document.documentElement.getAttribute('lang') || '';
    if (LANGS.includes(attr)) return attr;
    const browser = (navigator.language || reference).slice(0, 2).toLowerCase();
    return LANGS.includes(browser) ? browser : reference;
  }

  function lookup(key) {
    const value = dictionaries[lang][key] ?? dictionaries[reference][key];
    if (value === undefined) {
      console.warn(`missing string ${key}`);
      return key;
    }
    return value;
  }

  function t(key, params = {}) {
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

  const formatNumber = (n) => numbers.format(n);

  // A date as the app writes it (`dateTime`: Intl.DateTimeFormat options); '—' when there is none.
  function formatDateTime(iso) {
    if (!iso) return '—';
    const d = asDate(iso);
    if (!d) return String(iso);
    return new Intl.DateTimeFormat(lang, dateTime).format(d);
  }

  function formatTime(iso) {
    const d = asDate(iso);
    return d ? new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(d) : '—';
  }

  function languageName(code) {
    try {
      const name = new Intl.DisplayNames([lang], { type: 'language' }).of(code);
      return name ? name.charAt(0).toLocaleUpperCase(lang) + name.slice(1) : code;
    } catch {
      return code;
    }
  }

  // The link that shows this very page in the other language (the server remembers the choice).
  function otherLanguage(hash = '') {
    const other = LANGS.find((l) => l !== lang) || reference;
    const params = new URLSearchParams(location.search);
    params.set('lang', other);
    return { lang: other, href: `${location.pathname}?${params}${hash}` };
  }

  return {
    LANGS, setLang, currentLang, pageLang, t, formatNumber, formatDateTime, formatTime, languageName, otherLanguage,
  };
}

// A Date, an ISO string or a timestamp as a valid Date, or null.
export function asDate(value) {
  if (value === null || value === undefined || value === '') return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}
