// One constructable stylesheet for the Shadow DOM: no <style> or style="" in the page, so the
// widget works under `style-src 'self'`. Theme through --sondar-* custom properties.
// Three font sizes and one bold on the first screen (13, 15, 16/600): each distinct font costs its
// own lookup and shaping at the first layout, 5 of 37 ms there on a 4x slower CPU (session 19).
export const CSS = `
:host{all:initial!important;display:block!important;--sondar-accent:#2563eb;--sondar-on-accent:#fff;--sondar-bg:#fff;--sondar-fg:#111827;--sondar-muted:#4b5563;--sondar-border:#d1d5db;--sondar-radius:12px;--sondar-font:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
@media (prefers-color-scheme:dark){:host{--sondar-accent:#93c5fd;--sondar-on-accent:#111827;--sondar-bg:#1f2937;--sondar-fg:#f9fafb;--sondar-muted:#d1d5db;--sondar-border:#4b5563}}
.card{position:fixed;z-index:2147483000;bottom:20px;right:20px;width:min(380px,calc(100vw - 40px));box-sizing:border-box;padding:20px;background:var(--sondar-bg);color:var(--sondar-fg);border:1px solid var(--sondar-border);border-radius:var(--sondar-radius);box-shadow:0 12px 32px rgba(0,0,0,.2);font:15px/1.4 var(--sondar-font);text-align:start;animation:sondar-in .18s ease-out}
.card[dir=rtl]{right:auto;left:20px}
.card.inline{position:relative;bottom:auto;right:auto;left:auto;width:auto;box-shadow:none;animation:none}
@media (max-width:480px){.card:not(.inline){left:0;right:0;bottom:0;width:100%;border-width:1px 0 0;border-radius:var(--sondar-radius) var(--sondar-radius) 0 0}}
@media (prefers-reduced-motion:reduce){.card{animation:none}}
@keyframes sondar-in{from{transform:translateY(12px);opacity:0}}
.x{position:absolute;top:6px;inset-inline-end:6px;width:32px;height:32px;border:0;border-radius:8px;background:none;color:var(--sondar-muted);font:600 16px/1 var(--sondar-font);cursor:pointer}
.title{margin:0 0 8px;margin-inline-end:36px;font-size:13px;color:var(--sondar-muted)}
fieldset{border:0;margin:0;padding:0;min-width:0}
legend{padding:0;margin:0 0 12px;margin-inline-end:36px;font-weight:600;font-size:16px}
.desc{margin:-6px 0 12px;color:var(--sondar-muted)}
.scale{display:flex;gap:4px}
.pt{flex:1 1 0;min-width:0;position:relative}
.vh{position:absolute;width:1px;height:1px;margin:0;opacity:0;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.pt span{display:flex;align-items:center;justify-content:center;height:38px;border:1px solid var(--sondar-border);border-radius:8px;cursor:pointer;user-select:none}
.pt input:checked+span{background:var(--sondar-accent);border-color:var(--sondar-accent);color:var(--sondar-on-accent)}
.pt input:focus-visible+span{outline:2px solid var(--sondar-accent);outline-offset:2px}
.big span{font-size:24px;border-color:transparent;font-family:"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji","Twemoji Mozilla",var(--sondar-font)}
.big input:checked+span{background:transparent;border-color:var(--sondar-accent);color:inherit}
.star span{color:var(--sondar-muted)}
.star.on span,.star input:checked+span{color:#b45309;background:transparent}
.ends{display:flex;justify-content:space-between;gap:12px;margin-top:6px;font-size:13px;color:var(--sondar-muted)}
.opts{display:grid;gap:6px}
.opt{display:flex;gap:10px;align-items:center;padding:9px 11px;border:1px solid var(--sondar-border);border-radius:8px;cursor:pointer}
.opt input{margin:0;accent-color:var(--sondar-accent)}
textarea,.other{display:block;width:100%;box-sizing:border-box;padding:8px 10px;border:1px solid var(--sondar-border);border-radius:8px;background:transparent;color:inherit;font:inherit;resize:vertical}
textarea{min-height:84px}
.other[hidden]{display:none}
.count{margin:4px 0 0;font-size:13px;color:var(--sondar-muted);text-align:end}
.err{margin:10px 0 0;color:#b91c1c;font-size:13px}
.err:empty{display:none}
.nav{display:flex;gap:8px;align-items:center;margin-top:16px}
.btn{margin-inline-start:auto;padding:9px 18px;border:0;border-radius:8px;background:var(--sondar-accent);color:var(--sondar-on-accent);font:600 16px var(--sondar-font);cursor:pointer}
.btn.sec{margin:0;background:none;color:var(--sondar-fg);border:1px solid var(--sondar-border);font-weight:400}
progress{display:block;width:100%;height:4px;margin-top:14px;border:0;border-radius:2px;background:var(--sondar-border);appearance:none}
progress::-webkit-progress-bar{background:var(--sondar-border);border-radius:2px}
progress::-webkit-progress-value{background:var(--sondar-accent);border-radius:2px}
progress::-moz-progress-bar{background:var(--sondar-accent)}
h2{margin:0 0 6px;margin-inline-end:36px;font-size:16px}
.end p{margin:0 0 12px}
.end a{color:var(--sondar-fg);font-weight:600}
:focus-visible{outline:2px solid var(--sondar-accent);outline-offset:2px}
`;
