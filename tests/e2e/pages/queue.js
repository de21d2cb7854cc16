// The README's snippet: a queueing stub, then calls, all before sondar.js has loaded.
window.Sondar = window.Sondar || { q: [] };
['init', 'track', 'identify', 'show', 'on', 'flush', 'destroy'].forEach((m) => {
  window.Sondar[m] = window.Sondar[m] || ((...args) => window.Sondar.q.push([m, args]));
});
Sondar.identify('customer-1042', { segment: 'vip', orders_count: 7 });
Sondar.track('checkout_complete');
