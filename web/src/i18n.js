// The widget's own words. Survey texts come from the survey (resolved by the core); these are
// the buttons, labels and messages around them, picked for the locale the survey is shown in.
// Order of `faces`: very dissatisfied .. very satisfied.

/** @typedef {{next: string, back: string, submit: string, close: string, thanks: string, thanksBody: string, required: string, progress: string, npsLow: string, npsHigh: string, star: string, down: string, up: string, faces: string[], left: string, dialog: string}} UiStrings */

/** @type {Record<string, UiStrings>} */
export const STRINGS = {
  en: { next: 'Next', back: 'Back', submit: 'Submit', close: 'Close', thanks: 'Thank you!', thanksBody: 'Your feedback helps us improve.', required: 'Please answer this question.', progress: 'Question {n} of {t}', npsLow: 'Not at all likely', npsHigh: 'Extremely likely', star: '{n} of {t} stars', down: 'Thumbs down', up: 'Thumbs up', faces: ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'], left: '{n} characters left', dialog: 'Feedback' },
  es: { next: 'Siguiente', back: 'Atrás', submit: 'Enviar', close: 'Cerrar', thanks: '¡Gracias!', thanksBody: 'Tu opinión nos ayuda a mejorar.', required: 'Responde a esta pregunta.', progress: 'Pregunta {n} de {t}', npsLow: 'Nada probable', npsHigh: 'Muy probable', star: '{n} de {t} estrellas', down: 'Pulgar abajo', up: 'Pulgar arriba', faces: ['Muy insatisfecho', 'Insatisfecho', 'Neutral', 'Satisfecho', 'Muy satisfecho'], left: 'Quedan {n} caracteres', dialog: 'Opinión' },
  fr: { next: 'Suivant', back: 'Retour', submit: 'Envoyer', close: 'Fermer', thanks: 'Merci !', thanksBody: 'Votre avis nous aide à nous améliorer.', required: 'Veuillez répondre à cette question.', progress: 'Question {n} sur {t}', npsLow: 'Pas du tout probable', npsHigh: 'Très probable', star: '{n} étoiles sur {t}', down: 'Pouce vers le bas', up: 'Pouce vers le haut', faces: ['Très insatisfait', 'Insatisfait', 'Neutre', 'Satisfait', 'Très satisfait'], left: '{n} caractères restants', dialog: 'Avis' },
  de: { next: 'Weiter', back: 'Zurück', submit: 'Senden', close: 'Schließen', thanks: 'Vielen Dank!', thanksBody: 'Ihr Feedback hilft uns, besser zu werden.', required: 'Bitte beantworten Sie diese Frage.', progress: 'Frage {n} von {t}', npsLow: 'Überhaupt nicht wahrscheinlich', npsHigh: 'Äußerst wahrscheinlich', star: '{n} von {t} Sternen', down: 'Daumen runter', up: 'Daumen hoch', faces: ['Sehr unzufrieden', 'Unzufrieden', 'Neutral', 'Zufrieden', 'Sehr zufrieden'], left: 'Noch {n} Zeichen', dialog: 'Feedback' },
  it: { next: 'Avanti', back: 'Indietro', submit: 'Invia', close: 'Chiudi', thanks: 'Grazie!', thanksBody: 'Il tuo feedback ci aiuta a migliorare.', required: 'Rispondi a questa domanda.', progress: 'Domanda {n} di {t}', npsLow: 'Per niente probabile', npsHigh: 'Estremamente probabile', star: '{n} stelle su {t}', down: 'Pollice verso', up: 'Pollice in su', faces: ['Molto insoddisfatto', 'Insoddisfatto', 'Neutrale', 'Soddisfatto', 'Molto soddisfatto'], left: '{n} caratteri rimanenti', dialog: 'Feedback' },
  pt: { next: 'Seguinte', back: 'Voltar', submit: 'Enviar', close: 'Fechar', thanks: 'Obrigado!', thanksBody: 'A sua opinião ajuda-nos a melhorar.', required: 'Responda a esta pergunta.', progress: 'Pergunta {n} de {t}', npsLow: 'Nada provável', npsHigh: 'Extremamente provável', star: '{n} de {t} estrelas', down: 'Polegar para baixo', up: 'Polegar para cima', faces: ['Muito insatisfeito', 'Insatisfeito', 'Neutro', 'Satisfeito', 'Muito satisfeito'], left: '{n} caracteres restantes', dialog: 'Opinião' },
  nl: { next: 'Volgende', back: 'Terug', submit: 'Verzenden', close: 'Sluiten', thanks: 'Bedankt!', thanksBody: 'Uw feedback helpt ons te verbeteren.', required: 'Beantwoord deze vraag.', progress: 'Vraag {n} van {t}', npsLow: 'Helemaal niet waarschijnlijk', npsHigh: 'Zeer waarschijnlijk', star: '{n} van {t} sterren', down: 'Duim omlaag', up: 'Duim omhoog', faces: ['Zeer ontevreden', 'Ontevreden', 'Neutraal', 'Tevreden', 'Zeer tevreden'], left: 'Nog {n} tekens', dialog: 'Feedback' },
  ja: { next: '次へ', back: '戻る', submit: '送信', close: '閉じる', thanks: 'ありがとうございました！', thanksBody: 'いただいたご意見はサービスの改善に役立てます。', required: 'この質問に回答してください。', progress: '質問 {n}/{t}', npsLow: 'まったく思わない', npsHigh: '非常にそう思う', star: '{t}つ星中{n}つ星', down: 'よくない', up: 'よい', faces: ['とても不満', '不満', 'どちらでもない', '満足', 'とても満足'], left: '残り{n}文字', dialog: 'フィードバック' },
  zh: { next: '下一步', back: '上一步', submit: '提交', close: '关闭', thanks: '谢谢！', thanksBody: '您的反馈帮助我们改进。', required: '请回答此问题。', progress: '第 {n} 题，共 {t} 题', npsLow: '完全不可能', npsHigh: '极有可能', star: '{n} 星（共 {t} 星）', down: '不喜欢', up: '喜欢', faces: ['非常不满意', '不满意', '一般', '满意', '非常满意'], left: '还可输入 {n} 个字符', dialog: '反馈' },
  ar: { next: 'التالي', back: 'السابق', submit: 'إرسال', close: 'إغلاق', thanks: 'شكرًا لك!', thanksBody: 'ملاحظاتك تساعدنا على التحسين.', required: 'يرجى الإجابة عن هذا السؤال.', progress: 'السؤال {n} من {t}', npsLow: 'غير محتمل إطلاقًا', npsHigh: 'محتمل جدًا', star: '{n} من {t} نجوم', down: 'إبهام لأسفل', up: 'إبهام لأعلى', faces: ['غير راضٍ جدًا', 'غير راضٍ', 'محايد', 'راضٍ', 'راضٍ جدًا'], left: 'متبقٍ {n} حرفًا', dialog: 'ملاحظات' },
};

/** UI strings for a BCP 47 tag: "pt-BR" -> pt, unknown -> en. */
export function uiStrings(locale) {
  const language = String(locale || 'en').toLowerCase().split('-')[0];
  return STRINGS[language] || STRINGS.en;
}

/** "Question {n} of {t}" with values filled in. */
export const fill = (template, n, t) => template.replace('{n}', String(n)).replace('{t}', String(t));
