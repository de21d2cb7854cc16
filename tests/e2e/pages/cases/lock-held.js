// What a page frozen in Firefox's back/forward cache did to every other page of its site: it
// holds the outbox's Web Lock for ever. (Taken here by the page itself, before the widget loads.)
if (navigator.locks) navigator.locks.request('sondar-outbox', () => new Promise(() => {}));
