// Leaflet (and, for the console's drawing, Geoman) are vendored classic scripts that set
// window.L: only the pages that show a map load them, once. Their stylesheets go before the
// app's own (`before`), so that the app's rules win over the libraries' defaults.

const VENDOR = '/static/vendor';
const loads = new Map();

function stylesheet(href, before) {
  return new Promise((resolve, reject) => {
    if (document.querySelector(`link[href="${href}"]`)) {
      resolve();
      return;
    }
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.onload = resolve;
    link.onerror = () => reject(new Error(`could not load ${href}`));
    document.head.insertBefore(link, document.querySelector(`link[href$="${before}"]`));
  });
}

// a script runs once per page, whoever asks for it
function script(src) {
  if (!loads.has(src)) {
    loads.set(src, new Promise((resolve, reject) => {
      const el = document.createElement('script');
      el.src = src;
      el.async = false;
      el.onload = resolve;
      el.onerror = () => {
        loads.delete(src);
        el.remove();
        reject(new Error(`could not load ${src}`));
      };
      document.head.append(el);
    }));
  }
  return loads.get(src);
}

// Resolves to window.L; `geoman` adds the drawing tools. A failed load is tried again next time.
export function loadLeaflet({ before, geoman = false }) {
  const key = geoman ? 'leaflet+geoman' : 'leaflet';
  if (!loads.has(key)) {
    const styles = [`${VENDOR}/leaflet/leaflet.css`, geoman ? `${VENDOR}/leaflet-geoman/leaflet-geoman.css` : null];
    const scripts = script(`${VENDOR}/leaflet/leaflet.js`)
      .then(() => (geoman ? script(`${VENDOR}/leaflet-geoman/leaflet-geoman.min.js`) : null));
    loads.set(key, Promise.all([...styles.filter(Boolean).map((href) => stylesheet(href, before)), scripts])
      .then(() => window.L)
      .catch((err) => {
        loads.delete(key);
        throw err;
      }));
  }
  return loads.get(key);
}
