// "sondar": the widget for bundlers and <script type="module">.
//   import { createWidget } from "sondar";
//   const sondar = createWidget({ survey: "/surveys/checkout.json", endpoint: "/api/responses" });
//   sondar.track("checkout_complete");
export { createWidget, SondarError } from './engine.js';
