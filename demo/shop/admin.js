// The workspace pages' access to the collector's admin API. `make demo` prints a link that carries
// the token in the fragment (#token=..., never sent to a server); it is kept for this tab only
// (sessionStorage) and the fragment is removed from the address bar. On 401 the page asks for it.

const fromLink = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromLink) {
  sessionStorage.setItem('sondar.admin', fromLink);
  history.replaceState(null, '', location.pathname + location.search);
}

/**
 * A request to an admin route with the token; on 401 shows the login form and never resolves
 * (the page reloads once the token is given).
 * @param {string} path @param {RequestInit} [init] @returns {Promise<Response>}
 */
export async function admin(path, init = {}) {
  const token = sessionStorage.getItem('sondar.admin') || '';
  const res = await fetch(path, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } });
  if (res.status !== 401) return res;
  const form = /** @type {HTMLFormElement} */ (document.querySelector('#login'));
  form.hidden = false;
  document.querySelectorAll('main > :not(#login, h1)').forEach((n) => (/** @type {HTMLElement} */ (n).hidden = true));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem('sondar.admin', /** @type {HTMLInputElement} */ (document.querySelector('#token')).value.trim());
    location.reload();
  });
  /** @type {HTMLInputElement} */ (document.querySelector('#token')).focus();
  return new Promise(() => {});
}
