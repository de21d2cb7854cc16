// dist/sondar.js, the only part every page downloads: a queueing stub for window.Sondar that
// fetches the engine when a survey may show (track/show) or once the browser is idle.
(() => {
  const w = window;
  if (w.Sondar && w.Sondar.loaded) return;
  const script = document.currentScript;
  const data = (script && script.dataset) || {};
  const api = { q: (w.Sondar && w.Sondar.q) || [], base: script ? script.src.replace(/[^/]*$/, '') : '', nonce: script && script.nonce };
  let loading = 0;
  const load = () => {
    if (loading++) return;
    const s = document.createElement('script');
    s.src = `${api.base}sondar-engine.js`;
    s.async = true;
    if (api.nonce) s.nonce = api.nonce;
    s.onerror = () => w.dispatchEvent(new CustomEvent('sondar:error', { detail: { code: 'engine_unavailable', message: 'sondar-engine.js could not be loaded' } }));
    document.head.append(s);
  };
  'init track identify show on flush destroy'.split(' ').forEach((m) => {
    api[m] = (...args) => {
      api.q.push([m, args]);
      if (m === 'track' || m === 'show') load();
    };
  });
  w.Sondar = api;
  // The tag's own init goes first: the page may have queued identify()/track() before we ran.
  if (data.survey) api.q.unshift(['init', [{ survey: data.survey, endpoint: data.endpoint, locale: data.locale, debug: 'debug' in data }]]);
  const later = () => (w.requestIdleCallback ? w.requestIdleCallback(load, { timeout: 3000 }) : setTimeout(load, 1));
  document.readyState === 'complete' ? later() : w.addEventListener('load', later);
})();
