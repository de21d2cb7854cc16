// The README's examples, typed: tsc compiles this against web/types (tests/web/types.test.mjs),
// so a declaration that drifts from what the README shows fails `make test`. The lines marked
// as expected errors at the end must stay errors: they are what the types exist to refuse.
import { createWidget, SondarError } from 'sondar';
import type { WidgetErrorCode, WidgetErrorDetail, WidgetOptions } from 'sondar';
import { loadCore } from 'sondar/core';
import type { CollectorErrorCode, CoreErrorCode, ResponsePayload, SiteDecision } from 'sondar/core';

// "npm (web/ is the package sondar)"
const sondar = createWidget({
  survey: '/surveys/checkout.json',
  endpoint: '/api/responses',
  attributes: { segment: 'vip' },
  hidden: { order_id: 'A-1001' },
  theme: { '--sondar-accent': '#0f766e' },
});
sondar.on('complete', ({ payload }) => console.log(payload.scores));
sondar.track('add_to_cart');

// Options the README lists.
const options: WidgetOptions = {
  site: '/sondar/site.json',
  endpoint: 'https://feedback.example.com/api/responses',
  headers: { 'X-Shop-Token': 'abc' },
  transform: (payload: ResponsePayload) => ({ ...payload, 'x-shop': 'acme' }),
  transport: async (body) => fetch('/collect', { method: 'POST', body: JSON.stringify(body) }),
  locale: 'fr-CA',
  consent: 'pending',
  persist: true,
  container: '#feedback',
  dataLayer: true,
  debug: true,
  wasmUrl: new URL('https://cdn.example/sondar-widget.wasm'),
};
sondar.init(options);
sondar.identify('customer-1042', { segment: 'vip', orders_count: 7, country: 'FR' });
sondar.show();
sondar.consent(true);
sondar.reset();
void sondar.flush();
const decision: Promise<SiteDecision | null> = sondar.why();
void decision.then((d) => d?.surveys.map((s) => `${s.survey}: ${s.reason} ${s.retryAt ?? ''}`));
const off: () => void = sondar.on('error', (detail: WidgetErrorDetail) => {
  const code: WidgetErrorCode = detail.code;
  if (code === 'outbox_full' || code === 'http_422' || code === 'out_of_range') console.warn(detail.path);
});
off();
sondar.destroy();

// The script-tag global.
window.Sondar.track('checkout_complete');

// "The core in Node"
async function core(text: string, body: object): Promise<void> {
  const sondarCore = await loadCore();
  try {
    const survey = sondarCore.parseSurvey(text);
    const checked: ResponsePayload = survey.validateResponse(body);
    console.log(checked.scores);
    survey.delete();
  } catch (e) {
    if (e instanceof SondarError) {
      const first: CoreErrorCode = e.errors[0].code;
      console.log(e.code, e.path, first);
    }
  }
  const result = sondarCore.validateSurvey(text);
  if (!result.ok) console.log(result.errors.map((x) => `${x.path}: ${x.message}`));
}
void core('{}', {});

const refused: CollectorErrorCode = 'rate_limited';
void refused;

// @ts-expect-error: not a code anywhere in core/error_codes.json
const unknown: WidgetErrorCode = 'no_such_code';
void unknown;
// @ts-expect-error: a widget code is not a core code
const notCore: CoreErrorCode = 'outbox_full';
void notCore;
// @ts-expect-error: unknown option
createWidget({ endpiont: '/api/responses' });
