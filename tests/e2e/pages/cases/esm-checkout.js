// The npm (ESM) page, set up for the checkout survey.
window.testConfig = { survey: '/tests/e2e/surveys/checkout.json' };
