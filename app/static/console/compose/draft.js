// The alert being written survives a reload or a detour through the login page (an expired
// session): it is kept in this tab's sessionStorage until it is sent.
const key = (slug) => `tocsin-draft:${slug}`;

export function loadDraft(slug) {
  try {
    return JSON.parse(sessionStorage.getItem(key(slug))) || null;
  } catch {
    return null;
  }
}

export function saveDraft(slug, draft) {
  try {
    sessionStorage.setItem(key(slug), JSON.stringify(draft));
  } catch {
    // storage full or disabled: the draft simply is not kept
  }
}

export function clearDraft(slug) {
  try {
    sessionStorage.removeItem(key(slug));
  } catch {
    // nothing to clear
  }
}
