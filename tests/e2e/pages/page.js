// The host page's own script: proves the page keeps working (the test server's recorder.js,
// injected first, records sondar events).
window.pageClicks = 0;
document.addEventListener('click', (e) => {
  if (e.target && e.target.id === 'own') window.pageClicks++;
});
