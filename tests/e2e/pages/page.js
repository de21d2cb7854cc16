// The host page's own script: records sondar events and proves the page keeps working.
window.sondarEvents = [];
for (const name of ['ready', 'show', 'answer', 'complete', 'dismiss', 'delivered', 'error']) {
  window.addEventListener(`sondar:${name}`, (e) => window.sondarEvents.push({ name, detail: e.detail, at: performance.now() }));
}
window.pageClicks = 0;
document.addEventListener('click', (e) => {
  if (e.target && e.target.id === 'own') window.pageClicks++;
});
