// CAP alerts received from other systems (a prefecture, Météo-France…), uploaded here or read
// from the station's feed: those waiting for a decision first, each with its words, its area on a
// small map, and the two decisions — rebroadcast through the station (after a confirmation
// naming the station and who it will reach) or refuse.
import { api, ApiError, loadSession } from '../core/api.js';
import { actionDialog } from '../core/dialog.js';
import { h, clear, announce, field } from '../../core/dom.js';
import { currentLang, formatDateTime, languageName, t } from '../core/i18n.js';
import { renderFrame, pageHeading, errorBox } from '../core/layout.js';
import { SEVERITIES, canSend } from '../../core/vocab.js';
import { modeBand } from '../compose/mode.js';
import { describeZone } from '../compose/describe.js';
import { loadLeaflet } from '../map/loader.js';
import { showZone } from '../map/zone-view.js';
import { msgTypeBadge, severityBadge, statusBadge } from './alert.js';

// CAP's status → the console's mode; System and Draft messages cannot be rebroadcast
const MODES = { Actual: 'actual', Exercise: 'exercise', Test: 'test' };
const MSG_TYPES = ['Alert', 'Update', 'Cancel'];
const alertUrl = (id) => `/console/alerts/${encodeURIComponent(id)}`;

// the headline in the console's language if the document has one, else its first
function headlineOf(item) {
  const headlines = item.headline || {};
  return headlines[currentLang()] || Object.values(headlines)[0] || item.identifier;
}

function textsOf(item) {
  const texts = item.texts || Object.fromEntries(Object.entries(item.headline || {}).map(([code, title]) => [code, { title, body: '' }]));
  return Object.entries(texts);
}

function isExpired(item) {
  return Boolean(item.expires) && new Date(item.expires).getTime() <= Date.now();
}

function stateBadge(state) {
  return h('span', { class: `badge cap-state-${state}`, dataset: { state } }, t(`cap.state.${state}`));
}

function modeBadge(item) {
  const mode = MODES[item.status];
  return mode ? statusBadge(mode) : h('span', { class: 'badge' }, item.status);
}

// municipality + area + live: the operator chooses; otherwise the only reach there is
function audienceChoices(station, item) {
  return station.kind === 'municipality' && item.zone && MODES[item.status] === 'actual';
}

function reachText(station, item, audience) {
  if (MODES[item.status] && MODES[item.status] !== 'actual') return t('confirm.testDevicesOnly');
  return audience === 'everyone' ? t('audience.everyone') : t('audience.followersOf', { station: station.name });
}

export async function render(ctx) {
  const session = await loadSession();
  const slug = ctx.station;
  const station = await api('GET', `/api/v1/stations/${encodeURIComponent(slug)}`);
  const main = renderFrame({ session, station, active: 'cap', title: t('cap.title') });
  const mayDecide = canSend(station.roles);
  const listUrl = `/api/v1/stations/${encodeURIComponent(slug)}/cap-imports`;
  let known = new Set();

  const problem = h('div');
  const outcome = h('div', { tabindex: '-1' });
  const waitingLine = h('p', { class: 'notice notice-warning', role: 'status', hidden: true });
  const empty = h('p', { class: 'notice', hidden: true }, t('cap.empty'));
  const list = h('div', { class: 'cap-list' });

  // ---- upload by hand ------------------------------------------------------------------------
  const fileInput = h('input', { type: 'file', name: 'document', accept: '.xml,.cap,application/xml,text/xml,application/cap+xml' });
  const fileField = field({ label: t('cap.upload.file'), control: fileInput, hint: t('cap.upload.hint'), id: 'cap-file' });
  const uploadButton = h('button', { type: 'submit', class: 'button button-primary' }, t('cap.upload.submit'));
  const uploadDone = h('p', { class: 'notice notice-success', role: 'status', hidden: true });
  const uploadForm = h('form', { class: 'card cap-upload', 'aria-labelledby': 'cap-upload-h', novalidate: true },
    h('h2', { id: 'cap-upload-h' }, t('cap.upload.title')),
    fileField.wrapper, h('p', { class: 'actions' }, uploadButton), uploadDone);
  fileInput.addEventListener('change', () => fileField.setError(null));
  uploadForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    uploadDone.hidden = true;
    const file = fileInput.files && fileInput.files[0];
    if (!file) {
      fileField.setError(t('cap.upload.none'));
      fileInput.focus();
      return;
    }
    fileField.setError(null);
    uploadButton.disabled = true;
    uploadButton.textContent = t('cap.upload.sending');
    try {
      const item = await api('POST', listUrl, await file.arrayBuffer(), { contentType: 'application/cap+xml' });
      const message = known.has(item.id) ? t('cap.upload.again', { headline: headlineOf(item) })
        : t('cap.upload.done', { headline: headlineOf(item) });
      clear(outcome);
      uploadDone.textContent = message;
      uploadDone.hidden = false;
      announce(message);
      uploadForm.reset();
      await refresh();
    } catch (err) {
      // not XML, not CAP 1.2, too large…: the server says what and where
      fileField.setError(err instanceof ApiError ? err.message : t('error.unexpected'));
      fileInput.focus();
    } finally {
      uploadButton.disabled = false;
      uploadButton.textContent = t('cap.upload.submit');
    }
  });

  main.append(pageHeading(t('cap.title')),
    h('p', { class: 'lede' }, t('cap.intro')),
    problem, outcome, mayDecide ? uploadForm : h('p', { class: 'notice' }, t('cap.readOnly')),
    h('h2', {}, t('cap.listTitle')), waitingLine, empty, list);

  // ---- small maps, drawn when their card comes into view --------------------------------------
  const pendingMaps = new Map();
  const observer = 'IntersectionObserver' in window ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) drawMap(entry.target);
    }
  }, { rootMargin: '200px' }) : null;

  async function drawMap(element) {
    const zone = pendingMaps.get(element);
    if (!zone) return;
    pendingMaps.delete(element);
    observer?.unobserve(element);
    try {
      const L = await loadLeaflet();
      showZone(L, element, zone, {
        tileUrl: session.map && session.map.tile_url,
        attribution: session.map && session.map.attribution,
        label: t('cap.mapLabel'),
      });
    } catch (err) {
      console.error(err);
      element.replaceChildren(errorBox(t('map.failed')));
    }
  }

  // ---- accept: confirmation naming the station and the reach ----------------------------------
  function confirmAccept(item, audience, opener) {
    const mode = MODES[item.status] || 'actual';
    const reach = reachText(station, item, audience);
    const needsApproval = station.kind === 'municipality' && mode === 'actual' && ['Severe', 'Extreme'].includes(item.severity);
    const { dialog } = actionDialog({
      labelledBy: 'cap-confirm-title',
      content: [
        modeBand(mode),
        h('h2', { id: 'cap-confirm-title' }, t('cap.confirm.title')),
        h('p', { class: 'lede', dataset: { key: 'lede' } }, t('cap.confirm.lede', { station: station.name, reach })),
        h('div', { class: 'confirm-message' }, h('p', { class: 'notif-title' }, headlineOf(item))),
        h('dl', { class: 'summary' },
          h('dt', {}, t('confirm.station')), h('dd', { dataset: { key: 'station' } }, station.name),
          h('dt', {}, t('confirm.reach')), h('dd', { dataset: { key: 'reach' } }, reach),
          h('dt', {}, t('confirm.zone')), h('dd', {}, item.zone ? describeZone(item.zone) : t('cap.noZone')),
          h('dt', {}, t('confirm.severity')), h('dd', {}, t(`severity.${SEVERITIES.includes(item.severity) ? item.severity : 'Unknown'}`)),
          h('dt', {}, t('cap.expires')), h('dd', {}, item.expires ? formatDateTime(item.expires) : t('cap.noExpiry'))),
        needsApproval ? h('p', { class: 'notice notice-warning' }, t('cap.confirm.approval')) : null,
      ],
      backLabel: t('cap.confirm.back'),
      actLabel: t('cap.confirm.send'),
      actData: { action: 'confirm-accept' },
      onClose: () => opener.focus(),
      onAct: async () => {
        try {
          const body = audienceChoices(station, item) ? { audience } : undefined;
          const accepted = await api('POST', `/api/v1/cap-imports/${encodeURIComponent(item.id)}/accept`, body);
          dialog.close();
          dialog.remove();
          showOutcome(h('div', { class: 'notice notice-success', role: 'status', dataset: { key: 'accepted' } },
            h('p', {}, t('cap.accepted', { headline: headlineOf(item) })),
            needsApproval ? h('p', {}, t('cap.acceptedApproval')) : null,
            h('p', {}, h('a', { href: alertUrl(accepted.alert_id), class: 'button button-primary' }, t('cap.openAlert')))));
          await refresh();
          return null;
        } catch (err) {
          // 409 expired or refused earlier, 422 a Cancel or a zone outside the commune: the server's words
          return { message: err instanceof ApiError ? err.message : t('error.unexpected') };
        }
      },
    });
  }

  async function reject(item, button, error) {
    if (!window.confirm(t('cap.rejectConfirm', { headline: headlineOf(item) }))) return;
    button.disabled = true;
    error.hidden = true;
    try {
      await api('POST', `/api/v1/cap-imports/${encodeURIComponent(item.id)}/reject`);
      showOutcome(h('p', { class: 'notice', role: 'status', dataset: { key: 'rejected' } }, t('cap.rejected', { headline: headlineOf(item) })));
      await refresh();
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : t('error.unexpected');
      error.hidden = false;
      button.disabled = false;
    }
  }

  function showOutcome(element) {
    uploadDone.hidden = true;
    clear(outcome, element);
    outcome.focus();
    announce(element.textContent);
  }

  // ---- one import --------------------------------------------------------------------------------
  function card(item) {
    const headingId = `cap-${item.id}-h`;
    const expired = isExpired(item);
    const mapElement = h('div', { class: 'zone-view cap-zone-view' });
    if (item.zone) {
      pendingMaps.set(mapElement, item.zone);
      if (observer) observer.observe(mapElement);
      else setTimeout(() => drawMap(mapElement), 0);
    }
    const error = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
    let decision = null;
    if (item.state === 'received' && mayDecide) {
      let audience = item.zone && station.kind === 'municipality' ? 'everyone' : 'followers';
      let choices = null;
      if (audienceChoices(station, item)) {
        const name = `audience-${item.id}`;
        choices = h('fieldset', { class: 'field cap-audience' },
          h('legend', {}, t('cap.audience')),
          ['everyone', 'followers'].map((value) => {
            const input = h('input', { type: 'radio', name, value, id: `${name}-${value}`, checked: value === audience });
            input.addEventListener('change', () => { if (input.checked) audience = value; });
            return h('div', { class: 'choice' }, input,
              h('label', { for: input.id }, h('strong', {}, t(`audience.${value}`)), h('span', {}, t(`audience.${value}.hint`))));
          }));
      }
      const accept = h('button', { type: 'button', class: 'button button-danger', dataset: { action: 'accept' } }, t('cap.accept'));
      const refuse = h('button', { type: 'button', class: 'button', dataset: { action: 'reject' } }, t('cap.reject'));
      accept.addEventListener('click', () => confirmAccept(item, audience, accept));
      refuse.addEventListener('click', () => reject(item, refuse, error));
      decision = h('div', { class: 'cap-decision' }, choices,
        choices ? null : h('p', { class: 'field-hint', dataset: { key: 'reach' } }, t('cap.reachIs', { reach: reachText(station, item, audience) })),
        h('p', { class: 'actions' }, accept, refuse), error);
    }
    const sender = item.sender_name ? `${item.sender_name} (${item.sender})` : item.sender;
    return h('article', {
      class: 'card cap-import', 'aria-labelledby': headingId,
      dataset: { import: item.id, state: item.state, status: MODES[item.status] || item.status },
    },
    h('div', { class: 'cap-import-head' },
      h('h3', { id: headingId }, headlineOf(item)),
      h('p', { class: 'badges' }, stateBadge(item.state),
        item.status !== 'Actual' ? modeBadge(item) : null,
        item.msg_type !== 'Alert' ? (MSG_TYPES.includes(item.msg_type) ? msgTypeBadge(item.msg_type) : h('span', { class: 'badge' }, item.msg_type)) : null,
        severityBadge(SEVERITIES.includes(item.severity) ? item.severity : 'Unknown'),
        h('span', { class: 'badge' }, t(`category.${item.category}`)),
        expired && item.state === 'received' ? h('span', { class: 'badge cap-expired' }, t('cap.expired')) : null)),
    h('div', { class: 'cap-import-body' },
      h('div', {},
        h('dl', { class: 'summary cap-summary' },
          h('dt', {}, t('cap.sender')), h('dd', { dataset: { key: 'sender' } }, sender),
          h('dt', {}, t('cap.sent')), h('dd', {}, formatDateTime(item.sent)),
          h('dt', {}, t('cap.expires')), h('dd', { dataset: { key: 'expires' } }, item.expires ? formatDateTime(item.expires) : t('cap.noExpiry')),
          h('dt', {}, t('cap.source')), h('dd', { dataset: { key: 'source' } }, t(`cap.source.${item.source}`), ' · ', formatDateTime(item.received_at)),
          h('dt', {}, t('cap.identifier')), h('dd', { class: 'cap-identifier' }, item.identifier)),
        textsOf(item).map(([code, text]) => h('div', { class: 'text-block', lang: code, dataset: { lang: code } },
          h('h4', {}, languageName(code)),
          h('p', { class: 'notif-title' }, text.title),
          text.body ? h('p', { class: 'text-body' }, text.body) : null))),
      h('div', { class: 'cap-zone' },
        h('p', { class: 'field-hint', dataset: { key: 'zone' } }, item.zone ? describeZone(item.zone) : t('cap.noZone')),
        item.zone ? mapElement : null)),
    decision,
    item.state === 'accepted' && item.alert_id
      ? h('p', { class: 'actions' }, h('a', { class: 'button', href: alertUrl(item.alert_id), dataset: { key: 'alert-link' } }, t('cap.openAlert')))
      : null);
  }

  async function refresh() {
    let data;
    try {
      data = await api('GET', listUrl);
      clear(problem);
    } catch (err) {
      clear(problem, errorBox(err instanceof ApiError ? err.message : t('error.unexpected')));
      return;
    }
    const items = data.imports || [];
    known = new Set(items.map((i) => i.id));
    // those waiting for a decision first (stable sort: newest first within each group)
    const sorted = items.slice().sort((a, b) => (b.state === 'received') - (a.state === 'received'));
    const waiting = items.filter((i) => i.state === 'received').length;
    waitingLine.hidden = waiting === 0;
    waitingLine.textContent = t('cap.waiting', { count: waiting });
    empty.hidden = items.length > 0;
    for (const element of pendingMaps.keys()) observer?.unobserve(element);
    pendingMaps.clear();
    clear(list, sorted.map(card));
  }
  await refresh();
}
