// A tiny element builder: text is always set as text, never parsed as HTML.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'text') el.textContent = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'value') el.value = value;
    else if (name === 'checked' || name === 'disabled' || name === 'selected' || name === 'hidden') {
      el[name] = Boolean(value);
    } else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
export function newId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

// A labelled control with its hint and its error line, wired for screen readers.
export function field({ label, control, hint, id }) {
  const controlId = id || control.id || newId('f');
  control.id = controlId;
  const errorEl = h('p', { class: 'field-error', id: `${controlId}-error`, hidden: true });
  const hintEl = hint ? h('p', { class: 'field-hint', id: `${controlId}-hint` }, hint) : null;
  const describedBy = [hintEl && hintEl.id, errorEl.id].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', describedBy);
  const wrapper = h('div', { class: 'field' },
    h('label', { for: controlId }, label), hintEl, control, errorEl);
  return { wrapper, control, errorEl, hintEl, setError: (message) => setFieldError(control, errorEl, message) };
}

export function setFieldError(control, errorEl, message) {
  if (message) {
    errorEl.textContent = message;
    errorEl.hidden = false;
    control?.setAttribute('aria-invalid', 'true');
  } else {
    errorEl.textContent = '';
    errorEl.hidden = true;
    control?.removeAttribute('aria-invalid');
  }
}

// One polite live region for the whole page, for changes that are not where the focus is.
let liveRegion = null;
export function announce(message) {
  if (!liveRegion) {
    liveRegion = h('div', { class: 'visually-hidden', 'aria-live': 'polite', role: 'status' });
    document.body.append(liveRegion);
  }
  liveRegion.textContent = '';
  // a new text node after a tick, so that the same message twice is read twice
  setTimeout(() => { liveRegion.textContent = message; }, 50);
}

export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}
