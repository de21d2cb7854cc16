// Functions the browser benchmarks run inside the page (passed to addInitScript), kept in one
// place so visible.mjs and phone.mjs measure "visible" and long tasks the same way.

/**
 * Resolves with the time of the first rendering update in which a rating control of the first
 * question is laid out inside the viewport (IntersectionObserver's entry.time). It watches the
 * DOM with a MutationObserver (into the widget's shadow root) and never asks for layout itself:
 * polling every animation frame, as it first did, made the browser run a frame 60 times a second
 * for the whole page load, which on a throttled CPU took 5-20 ms of each frame away from the
 * page being measured; reading layout from a mutation callback would force it into the page's
 * own task and make that task look longer.
 */
export const watchVisible = () =>
  new Promise((resolve) => {
    let target = null;
    const roots = new Set();
    const io = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        io.disconnect();
        mo.disconnect();
        return resolve(e.time);
      }
    });
    const look = () => {
      if (target) return;
      const host = document.querySelector('[data-sondar]');
      const shadow = host && host.shadowRoot;
      if (shadow && !roots.has(shadow)) roots.add(shadow), mo.observe(shadow, { childList: true, subtree: true });
      const radio = (shadow || document).querySelector('input[type=radio], [role=radio]');
      if (radio) io.observe((target = radio.closest('label') || radio));
    };
    const mo = new MutationObserver(look);
    mo.observe(document, { childList: true, subtree: true });
    look();
  });

/** Collects [startTime, duration] of every long task into window.longTasks. */
export const recordLongTasks = () => {
  window.longTasks = [];
  new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => [e.startTime, e.duration]))).observe({ type: 'longtask', buffered: true });
};
