// The shop's own script: starts sondar with the shop's site manifest (every survey, for every
// page: the core picks which one shows where) and reports the shop's events. Calls made before
// sondar.js arrives are queued by this stub.
window.Sondar = window.Sondar || { q: [] };
['init', 'track', 'identify', 'show', 'on', 'flush', 'destroy', 'reset', 'consent'].forEach((m) => {
  window.Sondar[m] = window.Sondar[m] || ((...args) => window.Sondar.q.push([m, args]));
});
window.Sondar.why = window.Sondar.why || (() => new Promise((resolve) => window.Sondar.q.push(['why', [resolve]])));

const vip = localStorage.getItem('shop.vip') === '1';
const segment = vip ? 'vip' : 'regular';
const order = sessionStorage.getItem('shop.order') || `A-${1000 + Math.floor(Math.random() * 9000)}`;
sessionStorage.setItem('shop.order', order);

Sondar.init({
  site: '/api/site',
  endpoint: '/api/responses',
  attributes: { segment, orders_count: vip ? 12 : 2, country: 'FR', device: matchMedia('(max-width: 600px)').matches ? 'mobile' : 'desktop' },
  hidden: { order_id: order, segment },
  dataLayer: true,
  debug: new URLSearchParams(location.search).has('debug'),
});

// VIP switch on the product page, to see targeting at work.
const toggle = document.getElementById('vip');
if (toggle) {
  toggle.checked = vip;
  toggle.addEventListener('change', () => {
    localStorage.setItem('shop.vip', toggle.checked ? '1' : '0');
    location.reload();
  });
}
document.querySelectorAll('[data-track]').forEach((el) =>
  el.addEventListener('click', () => Sondar.track(el.dataset.track)),
);
const place = document.getElementById('place-order');
if (place) {
  place.addEventListener('submit', (e) => {
    e.preventDefault();
    Sondar.track('checkout_complete');
    document.getElementById('placed').hidden = false;
    place.hidden = true;
  });
}
if (document.body.dataset.event) Sondar.track(document.body.dataset.event);
const chat = document.getElementById('chat');
if (chat) chat.addEventListener('click', () => (document.getElementById('chat-note').hidden = false));
