// Cookies and site data blocked: every localStorage access throws, as Chromium does then.
Object.defineProperty(window, 'localStorage', {
  get() {
    throw new DOMException('Access is denied for this document.', 'SecurityError');
  },
});
