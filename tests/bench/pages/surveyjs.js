// The questions of tests/e2e/surveys/checkout.json in SurveyJS's schema: NPS 0-10, a follow-up
// text for detractors, CSAT 1-5 as emoji.
const json = {
  title: 'Quick question about your order',
  pages: [
    { elements: [{ type: 'rating', name: 'nps', title: 'How likely are you to recommend us to a friend?', rateMin: 0, rateMax: 10, isRequired: true }] },
    { elements: [{ type: 'comment', name: 'why', title: 'What could we do better?', maxLength: 200, visibleIf: '{nps} <= 6' }] },
    { elements: [{ type: 'rating', name: 'csat', title: 'How satisfied are you with checkout?', rateType: 'smileys', rateMin: 1, rateMax: 5 }] },
  ],
};

/** The host's trigger, as a checkout page would call it: build the model and render it. */
window.showSurvey = () => {
  const model = new Survey.Model(json);
  model.render(document.getElementById('survey'));
};
