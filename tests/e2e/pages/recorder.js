// Injected by the test server at the top of every HTML page, before anything else runs: records
// the widget's events and any error that reaches the page, the same way in every engine.
(() => {
  if (window.recorder) return;
  window.recorder = true;
  const errors = (window.pageErrors = []);
  const events = (window.sondarEvents = []);
  window.addEventListener('error', (e) => (errors[errors.length] = `error: ${e.message}`));
  // What a Content-Security-Policy blocked: expected in some tests, so kept apart from errors.
  const violations = (window.cspViolations = []);
  document.addEventListener('securitypolicyviolation', (e) => (violations[violations.length] = `${e.violatedDirective} ${e.blockedURI}`));
  window.addEventListener('unhandledrejection', (e) => (errors[errors.length] = `unhandled rejection: ${(e.reason && e.reason.message) || e.reason}`));
  const names = ['ready', 'show', 'answer', 'complete', 'dismiss', 'delivered', 'error'];
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    window.addEventListener(`sondar:${name}`, (e) => (events[events.length] = { name, detail: e.detail, at: performance.now() }));
  }
})();
