// The npm way: import { createWidget } from "sondar". Options come from the test (testConfig).
import { createWidget } from '/web/src/index.js';

// Or, in any engine, from ?config=<JSON>.
const fromQuery = new URLSearchParams(location.search).get('config');
const { tall, custom, ...config } = window.testConfig || (fromQuery ? JSON.parse(fromQuery) : {});
if (custom) {
  // An analytics-style endpoint: reshape the payload, send it our own way.
  window.sentByTransport = [];
  config.transform = (p) => ({ event: 'survey_response', properties: { ...p.answers, survey: p.surveyId } });
  config.transport = async (body) => window.sentByTransport.push(body);
}
// A long page for scroll-depth triggers, in place before the widget starts.
if (tall) document.querySelector('main').append(Object.assign(document.createElement('div'), { className: 'tall' }));
window.widget = createWidget({ endpoint: '/collect', ...config });
