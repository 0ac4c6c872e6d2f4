import { escapeHtml } from '@desk/channels';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
fieldset{border:0;padding:0;margin:1rem 0}legend{font-weight:600}label{margin-right:1rem}
textarea{display:block;width:100%;box-sizing:border-box;min-height:6rem;padding:.5rem;font:inherit;border:2px solid #555}
.error{color:#b00020}button{margin-top:1.5rem;padding:.6rem 1.5rem;font:inherit;background:#1a4fa0;color:#fff;border:0}
:focus{outline:3px solid #fd0;outline-offset:1px}`;

function page(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
${main}
</main></body>
</html>`;
}

const SCORES: Array<[number, string]> = [
  [1, 'Very unhappy'],
  [2, 'Unhappy'],
  [3, 'Neutral'],
  [4, 'Happy'],
  [5, 'Very happy'],
];

/** The one-question survey: a score from 1 to 5, "please contact me", a comment. Works without JavaScript. */
export function renderSurveyPage(input: { threadNumber: number; actionUrl: string; error?: string }): string {
  const radios = SCORES.map(
    ([n, label]) =>
      `<input type="radio" id="score-${n}" name="score" value="${n}" required><label for="score-${n}">${n} – ${escapeHtml(label)}</label>`,
  ).join('\n');
  return page(
    'How did we do?',
    `<h1>How did we do?</h1>
<p>About your request <strong>#${escapeHtml(input.threadNumber)}</strong>.</p>
${input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : ''}
<form method="post" action="${escapeHtml(input.actionUrl)}">
<fieldset><legend>How satisfied are you with our answer?</legend>
${radios}
</fieldset>
<p><input type="checkbox" id="contact_me" name="contact_me" value="on"><label for="contact_me">Please contact me again about this</label></p>
<label for="comment">Comment <span>(optional)</span></label>
<textarea id="comment" name="comment" maxlength="5000"></textarea>
<button type="submit">Send</button>
</form>`,
  );
}

export function renderSurveyThanks(reopened: boolean): string {
  return page(
    'Thank you',
    `<h1>Thank you</h1><p role="status">${reopened ? 'We have reopened your request and will get back to you soon.' : 'Your answer was recorded.'}</p>`,
  );
}

export function renderSurveyError(reason: 'forged' | 'expired' | 'gone'): string {
  const text = reason === 'expired' ? 'This survey link has expired.' : reason === 'gone' ? 'This request no longer exists.' : 'This survey link is not valid.';
  return page('Survey link', `<h1>Survey link</h1><p role="alert">${text}</p>`);
}
