// Safari 16.0-16.3: CSSStyleSheet exists but cannot be constructed, and shadow roots have no
// adoptedStyleSheets.
{
  const Native = window.CSSStyleSheet;
  function CSSStyleSheet() {
    throw new TypeError('Illegal constructor');
  }
  CSSStyleSheet.prototype = Native.prototype;
  window.CSSStyleSheet = CSSStyleSheet;
  delete ShadowRoot.prototype.adoptedStyleSheets;
  delete Document.prototype.adoptedStyleSheets;
}
