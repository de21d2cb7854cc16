// The npm way: import { createWidget } from "sondar". Options come from the test (testConfig).
import { createWidget } from '/web/src/index.js';

const { tall, ...config } = window.testConfig || {};
// A long page for scroll-depth triggers, in place before the widget starts.
if (tall) document.querySelector('main').append(Object.assign(document.createElement('div'), { className: 'tall' }));
window.widget = createWidget({ endpoint: '/collect', ...config });
