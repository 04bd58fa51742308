// Drawing a circle by pressing at its centre, dragging to its edge and releasing (mouse, finger
// or pen), or by clicking the centre then the edge. Geoman's own circle tool only knows the
// second gesture, which a finger on a tablet cannot do (there is no hover).
const CLICK_TOLERANCE_PX = 6;

export function drawCircle(L, map, { min, max, style, onRadius, onDone }) {
  const container = map.getContainer();
  const clamp = (r) => Math.min(max, Math.max(min, r));
  let centre = null;
  let preview = null;
  let down = null;
  let clickMode = false;
  const draggingWas = map.dragging.enabled();
  map.dragging.disable();
  map.doubleClickZoom.disable();
  container.classList.add('is-drawing-circle');

  const latlngOf = (event) => map.mouseEventToLatLng(event);
  const onControl = (event) => event.target.closest && event.target.closest('.leaflet-control');

  function radiusTo(event) {
    return clamp(map.distance(centre, latlngOf(event)));
  }

  function onPointerDown(event) {
    if (onControl(event) || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    event.stopPropagation();
    if (centre && clickMode) {
      finish(radiusTo(event));
      return;
    }
    centre = latlngOf(event);
    down = { x: event.clientX, y: event.clientY, id: event.pointerId };
    container.setPointerCapture?.(event.pointerId);
    preview = L.circle(centre, { ...style, radius: min, interactive: false, dashArray: '6 6' }).addTo(map);
    onRadius(min);
  }

  function onPointerMove(event) {
    if (!centre) return;
    const r = radiusTo(event);
    preview.setRadius(r);
    onRadius(r);
  }

  function onPointerUp(event) {
    if (!centre || clickMode) return;
    event.preventDefault();
    event.stopPropagation();
    const moved = Math.hypot(event.clientX - down.x, event.clientY - down.y);
    if (moved < CLICK_TOLERANCE_PX) {
      clickMode = true; // a plain click: the next click sets the edge
      return;
    }
    finish(radiusTo(event));
  }

  function onKey(event) {
    if (event.key === 'Escape') cancel();
  }

  function cleanup() {
    container.removeEventListener('pointerdown', onPointerDown, true);
    container.removeEventListener('pointermove', onPointerMove, true);
    container.removeEventListener('pointerup', onPointerUp, true);
    document.removeEventListener('keydown', onKey);
    if (down) container.releasePointerCapture?.(down.id);
    container.classList.remove('is-drawing-circle');
    if (draggingWas) map.dragging.enable();
    map.doubleClickZoom.enable();
    preview?.remove();
  }

  function finish(radius) {
    const at = centre;
    cleanup();
    onDone({ centre: at, radius });
  }

  function cancel() {
    cleanup();
    onDone(null);
  }

  // capture phase: Leaflet's own handlers must not see these presses as map clicks
  container.addEventListener('pointerdown', onPointerDown, true);
  container.addEventListener('pointermove', onPointerMove, true);
  container.addEventListener('pointerup', onPointerUp, true);
  document.addEventListener('keydown', onKey);
  return { cancel, isStarted: () => Boolean(centre) };
}
