// The npm way: import { createWidget } from "sondar". Options come from the test (testConfig).
import { createWidget } from '/web/src/index.js';

const config = window.testConfig || {};
window.widget = createWidget({ endpoint: '/collect', ...config });
