// The translation engine both front-ends share. Each app loads its dictionaries with it
// (`await loadI18n({ fr: url, en: url })` in its core/i18n.js); the first language given is the
// reference and the fallback: a key missing from another language shows the reference's words.
//
// A dictionary is a JSON file of `"key": "text"` entries (data, not code: fetched, not imported;
// JSON import attributes are left aside because older iPhones' Safari lacks them). Plural entries
// are objects {one, other}; `count` picks the form (a count that is not a number, such as the
// API's "<10", counts as many). Numbers in a text are written the language's way.

// The language the server put in <html lang> (?lang=, cookie, then the browser's; see
// app/routes/pages.py); on a page without one of the app's languages there, the browser's own.
function languageOfPage(langs) {
  const attr = document.documentElement.getAttribute('lang') || '';
  if (langs.includes(attr)) return attr;
  const browser = (navigator.language || langs[0]).slice(0, 2).toLowerCase();
  return langs.includes(browser) ? browser : langs[0];
}

async function fetchDictionary(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

// The engine with only the dictionaries this page needs (`files`: language → URL of its JSON
// file, the reference first), set to the page's language: that one and, when it is not the
// reference, the reference too, fetched in parallel. The pages preload the same files.
export async function loadI18n(files, options = {}) {
  const langs = Object.keys(files);
  const lang = languageOfPage(langs);
  const needed = [...new Set([lang, langs[0]])];
  const loaded = await Promise.all(needed.map(async (l) => [l, await fetchDictionary(files[l])]));
  const i18n = createI18n(Object.fromEntries(loaded), { ...options, languages: langs });
  i18n.setLang(lang);
  return i18n;
}

// `dictionaries`: those loaded, language → entries; `languages`: all the app speaks (by default
// the loaded ones), the reference first. A language whose dictionary is not loaded is shown in
// the reference.
export function createI18n(dictionaries, {
  languages = Object.keys(dictionaries), dateTime = { dateStyle: 'medium', timeStyle: 'short' },
} = {}) {
  const LANGS = [...languages];
  const [reference] = LANGS;
  let lang = reference;
  let plurals = new Intl.PluralRules(lang);
  let numbers = new Intl.NumberFormat(lang);

  function setLang(value) {
    lang = LANGS.includes(value) && dictionaries[value] ? value : reference;
    plurals = new Intl.PluralRules(lang);
    numbers = new Intl.NumberFormat(lang);
    document.documentElement.lang = lang;
    return lang;
  }

  const currentLang = () => lang;

  const pageLang = () => languageOfPage(LANGS);

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
