// dist/sondar.js, the only part every page downloads: a queueing stub for window.Sondar that
// fetches the engine when a survey may show (track/show) or once the browser is idle.
// It runs on pages it does not control: whatever window.Sondar or the built-in prototypes hold,
// nothing here may throw into the page (it uses no Array method and catches everything).
(() => {
  const w = window;
  const report = (code, message) => {
    try {
      w.dispatchEvent(new CustomEvent('sondar:error', { detail: { code, message } }));
    } catch {
      // nothing left to tell it with
    }
  };
  try {
    const prev = w.Sondar;
    if (prev && prev.loaded === true) return;
    const script = document.currentScript;
    const data = (script && script.dataset) || {};
    // A queue from the page's snippet is kept; anything else under that name is not ours.
    const q = prev && Array.isArray(prev.q) ? prev.q : [];
    const api = { q, base: script ? script.src.replace(/[^/]*$/, '') : '', nonce: script && script.nonce };
    // What the engine will need, requested together with it rather than after it has run: the
    // module and the tag's manifest or survey. The engine takes these responses by URL (or
    // fetches again when one failed); each is caught here so a failure is never unhandled.
    const pre = (api.pre = {});
    const prefetch = (url, base) => {
      const href = new URL(url, base || document.baseURI).href;
      if (!pre[href]) (pre[href] = fetch(href)).catch(() => {});
      return href;
    };
    let loading = 0;
    // In a task of its own, not inside the page's call: starting four requests takes a slow
    // phone 20-40 ms, and the page's handler (often its load event) has its own work to do.
    const load = () => loading++ || setTimeout(request);
    const request = () => {
      try {
        // The engine asks for the module with messages when debug is on (engine.js, start).
        const debug = 'debug' in data || /[?&]sondar_debug=1(&|$)/.test(w.location.search);
        prefetch(`${api.base}sondar-widget${debug ? '-debug' : ''}.wasm`);
        // The surveys the manifest marks "preload": true are asked for the moment it arrives: the
        // engine is still on its way then. Only that hint is read here; the core validates the
        // manifest and decides what shows (engine.js, preloadSurveys, does the same for pages
        // that import the widget without this loader).
        const site = data.site && prefetch(data.site);
        if (!site && data.survey) prefetch(data.survey); // data-site wins, as in the engine
        if (site)
          pre[site]
            .then((r) => r.clone().json())
            .then((doc) => {
              const s = doc.surveys;
              for (let i = 0; i < s.length && i < 50; i++) if (s[i].preload === true && typeof s[i].url === 'string') prefetch(s[i].url, site);
            })
            .catch(() => {});
      } catch {
        // no fetch or URL here: the engine fetches them itself
      }
      const s = document.createElement('script');
      s.src = `${api.base}sondar-engine.js`;
      s.async = true;
      if (api.nonce) s.nonce = api.nonce;
      s.onerror = () => report('engine_unavailable', 'sondar-engine.js could not be loaded');
      document.head.appendChild(s);
    };
    const methods = ['init', 'track', 'identify', 'show', 'on', 'flush', 'destroy', 'reset', 'consent'];
    for (let i = 0; i < methods.length; i++) {
      const m = methods[i];
      api[m] = function () {
        try {
          const args = [];
          for (let j = 0; j < arguments.length; j++) args[j] = arguments[j];
          q[q.length] = [m, args];
          if (m === 'track' || m === 'show') load();
        } catch (e) {
          report('internal', String(e));
        }
      };
    }
    // why() answers later: a promise the engine resolves when it replays the queue.
    api.why = () =>
      new Promise((resolve) => {
        q[q.length] = ['why', [resolve]];
        load();
      });
    w.Sondar = api;
    // The tag's own init goes first: the page may have queued identify()/track() before we ran.
    if (data.site || data.survey) {
      for (let i = q.length; i > 0; i--) q[i] = q[i - 1];
      q[0] = ['init', [{ site: data.site, survey: data.survey, endpoint: data.endpoint, locale: data.locale, consent: data.consent, debug: 'debug' in data }]];
    }
    // A track() or show() the page queued before this script ran asks for a survey now, not
    // once the page is idle.
    for (let i = 0; i < q.length; i++) if (q[i] && (q[i][0] === 'track' || q[i][0] === 'show')) load();
    const later = () => (w.requestIdleCallback ? w.requestIdleCallback(load, { timeout: 3000 }) : setTimeout(load, 1));
    document.readyState === 'complete' ? later() : w.addEventListener('load', later);
  } catch (e) {
    report('internal', String(e));
  }
})();
