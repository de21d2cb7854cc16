// A page (or a bad polyfill) that broke a built-in. Even browser drivers trip over this one
// (WebKitWebDriver's own scripts call map), so the page drives itself: it fires the trigger, then
// reports what reached it to the test server.
Array.prototype.map = function () {
  throw new Error('Array.prototype.map is broken on this page');
};
setTimeout(() => window.Sondar && window.Sondar.track && window.Sondar.track('checkout_complete'), 500);
setTimeout(() => {
  const events = [];
  for (let i = 0; i < window.sondarEvents.length; i++) events[events.length] = window.sondarEvents[i].name;
  navigator.sendBeacon('/report', JSON.stringify({ page: 'broken-map', errors: window.pageErrors, events }));
}, 3000);
