// Leaflet and Geoman are classic scripts (they set window.L); only the map page needs them.
let loading = null;

function stylesheet(href) {
  return new Promise((resolve, reject) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.onload = resolve;
    link.onerror = () => reject(new Error(`could not load ${href}`));
    // before console.css, so that the console's rules win over the libraries' defaults
    const ours = document.querySelector('link[href$="console.css"]');
    document.head.insertBefore(link, ours);
  });
}

function script(src) {
  return new Promise((resolve, reject) => {
    const el = document.createElement('script');
    el.src = src;
    el.async = false;
    el.onload = resolve;
    el.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(el);
  });
}

export function loadLeaflet() {
  if (!loading) {
    loading = Promise.all([
      stylesheet('/static/vendor/leaflet/leaflet.css'),
      stylesheet('/static/vendor/leaflet-geoman/leaflet-geoman.css'),
      script('/static/vendor/leaflet/leaflet.js').then(() => script('/static/vendor/leaflet-geoman/leaflet-geoman.min.js')),
    ]).then(() => window.L);
  }
  return loading;
}
