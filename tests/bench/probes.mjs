// Functions the browser benchmarks run inside the page (passed to addInitScript), kept in one
// place so visible.mjs and phone.mjs measure "visible" and long tasks the same way.

/**
 * Resolves with performance.now() in the first frame that lays out a rating control of the
 * first question. Checked once per frame, not on every DOM mutation: reading layout from a
 * mutation callback would force it inside the page's own task and make that task look longer.
 */
export const watchVisible = () =>
  new Promise((resolve) => {
    const find = () => {
      const host = document.querySelector('[data-sondar]');
      const root = host ? host.shadowRoot : document;
      const radio = root && root.querySelector('input[type=radio], [role=radio]');
      return radio && radio.getClientRects().length + (radio.closest('label') || radio).getClientRects().length > 0;
    };
    const frame = () => (find() ? resolve(performance.now()) : requestAnimationFrame(frame));
    frame();
  });

/** Collects [startTime, duration] of every long task into window.longTasks. */
export const recordLongTasks = () => {
  window.longTasks = [];
  new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => [e.startTime, e.duration]))).observe({ type: 'longtask', buffered: true });
};
