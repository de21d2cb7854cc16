// "sondar": the widget for bundlers and <script type="module">.
//   import { createWidget } from "sondar";
//   const sondar = createWidget({ survey: "/surveys/checkout.json", endpoint: "/api/responses" });
//   sondar.track("checkout_complete");
import { createWidget as create, SondarError } from './engine.js';
import { STRINGS } from './i18n-all.js';

export { SondarError };

/**
 * A widget with every UI language bundled (the script-tag build fetches them instead).
 * @param {import('./engine.js').WidgetOptions} [options]
 */
export function createWidget(options) {
  const api = create();
  const init = api.init;
  api.init = (given) => init({ strings: STRINGS, ...given });
  if (options) api.init(options);
  return api;
}
