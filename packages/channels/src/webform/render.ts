// The hosted form page: plain HTML that works without JavaScript, labelled inputs, an error
// summary linking to each invalid field (GOV.UK pattern), aria-invalid/aria-describedby on the
// fields, and every interpolated value escaped.
import { allFormFields, HONEYPOT_FIELD, type FormFieldError, type FormFieldSpec } from './form-schema';

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export interface RenderFormInput {
  title: string;
  actionUrl: string;
  /** The inbox's custom fields; the built-in ones are always rendered first. */
  fields: readonly FormFieldSpec[];
  /** Values to fill back in after a failed post. */
  values?: Record<string, unknown>;
  errors?: readonly FormFieldError[];
  /** Anti-forgery token, posted back as `_csrf`. */
  csrf?: string;
  intro?: string;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;font-weight:600;margin-top:1rem}.hint{font-weight:400;color:#555}
input[type=text],input[type=email],select,textarea{display:block;width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:2px solid #555}
textarea{min-height:10rem}.checkbox label{display:inline;font-weight:400}
[aria-invalid=true]{border-color:#b00020}.error{color:#b00020;margin:.25rem 0}
.summary{border:3px solid #b00020;padding:1rem;margin-bottom:1rem}.summary a{color:#b00020}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
button{margin-top:1.5rem;padding:.6rem 1.5rem;font:inherit;background:#1a4fa0;color:#fff;border:0}
:focus{outline:3px solid #fd0;outline-offset:1px}`;

function page(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main id="main">
${main}
</main>
</body>
</html>
`;
}

function fieldHtml(spec: FormFieldSpec, value: unknown, error: FormFieldError | undefined): string {
  const id = `field-${spec.name}`;
  const errorId = `${id}-error`;
  const aria = [spec.required ? ' required aria-required="true"' : '', error ? ` aria-invalid="true" aria-describedby="${errorId}"` : ''].join('');
  const errorHtml = error ? `\n<p class="error" id="${errorId}"><span class="visually-hidden">Error:</span> ${escapeHtml(error.message)}</p>` : '';
  const label = `${escapeHtml(spec.label)}${spec.required ? '' : ' <span class="hint">(optional)</span>'}`;
  const max = spec.maxLength ? ` maxlength="${spec.maxLength}"` : '';
  const name = escapeHtml(spec.name);
  if (spec.type === 'checkbox') {
    const checked = value === true || value === 'on' || value === 'true' ? ' checked' : '';
    return `<div class="field checkbox">${errorHtml}\n<input type="checkbox" id="${id}" name="${name}" value="on"${checked}${aria}>\n<label for="${id}">${label}</label>\n</div>`;
  }
  let control: string;
  if (spec.type === 'textarea') {
    control = `<textarea id="${id}" name="${name}" rows="8"${max}${aria}>${escapeHtml(value)}</textarea>`;
  } else if (spec.type === 'select') {
    const options = (spec.options ?? [])
      .map((o) => `<option value="${escapeHtml(o)}"${o === value ? ' selected' : ''}>${escapeHtml(o)}</option>`)
      .join('');
    control = `<select id="${id}" name="${name}"${aria}><option value="">Choose…</option>${options}</select>`;
  } else {
    const type = spec.type === 'email' ? 'email' : 'text';
    const autocomplete = spec.name === 'email' ? ' autocomplete="email"' : spec.name === 'name' ? ' autocomplete="name"' : '';
    control = `<input type="${type}" id="${id}" name="${name}" value="${escapeHtml(value)}"${max}${autocomplete}${aria}>`;
  }
  return `<div class="field">\n<label for="${id}">${label}</label>${errorHtml}\n${control}\n</div>`;
}

export function renderFormPage(input: RenderFormInput): string {
  const values = input.values ?? {};
  const errors = input.errors ?? [];
  const byField = new Map(errors.map((e) => [e.field, e]));
  const summary =
    errors.length === 0
      ? ''
      : `<div class="summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">There is a problem</h2>
<ul>
${errors.map((e) => `<li><a href="#field-${escapeHtml(e.field)}">${escapeHtml(e.message)}</a></li>`).join('\n')}
</ul>
</div>`;
  const fields = allFormFields(input.fields).map((f) => fieldHtml(f, values[f.name], byField.get(f.name)));
  const main = `<h1>${escapeHtml(errors.length ? `Error: ${input.title}` : input.title)}</h1>
${input.intro ? `<p>${escapeHtml(input.intro)}</p>` : ''}
${summary}
<form method="post" action="${escapeHtml(input.actionUrl)}" accept-charset="utf-8" novalidate>
${input.csrf ? `<input type="hidden" name="_csrf" value="${escapeHtml(input.csrf)}">` : ''}
${fields.join('\n')}
<div class="hp" aria-hidden="true"><label for="field-${HONEYPOT_FIELD}">Leave this field empty</label><input type="text" id="field-${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" tabindex="-1" autocomplete="off" value=""></div>
<button type="submit">Send</button>
</form>`;
  return page(input.title, main);
}

export function renderThanksPage(input: { threadNumber: number; title?: string }): string {
  const n = escapeHtml(input.threadNumber);
  return page(input.title ?? 'Thank you', `<h1>${escapeHtml(input.title ?? 'Thank you')}</h1>
<p role="status">We received your message. Your request number is <strong>#${n}</strong>.</p>
<p>We will answer by email; replying to our email adds to the same request.</p>`);
}

/** A JSON string literal safe inside an inline <script> (no `</script>` or `<!--` can close it). */
function jsString(value: string): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * The embeddable script: `<script src=".../embed.js" async></script>` fetches the hosted form,
 * inserts its <form> where the script tag stands, and posts with fetch (JSON answer: the thread
 * number, or field errors shown next to their fields). Without JavaScript, link to the hosted page.
 */
export function embedScript(input: { formUrl: string; postUrl: string }): string {
  return `(function(){var s=document.currentScript,F=${jsString(input.formUrl)},P=${jsString(input.postUrl)};
var box=document.createElement('div');box.className='desk-form';s.parentNode.insertBefore(box,s);
fetch(F).then(function(r){return r.text()}).then(function(h){
var f=new DOMParser().parseFromString(h,'text/html').querySelector('form');if(!f)return;
f=document.importNode(f,true);box.appendChild(f);
f.addEventListener('submit',function(e){e.preventDefault();
fetch(P,{method:'POST',headers:{'Accept':'application/json'},body:new URLSearchParams(new FormData(f))})
.then(function(r){return r.json().then(function(j){return{ok:r.ok,j:j}})}).then(function(x){
f.querySelectorAll('.error').forEach(function(n){n.remove()});
if(x.ok){var p=document.createElement('p');p.setAttribute('role','status');p.textContent='Thank you! Your request number is #'+x.j.threadNumber+'.';box.replaceChild(p,f);return}
(x.j.errors||[]).forEach(function(er){var i=f.querySelector('[name="'+er.field+'"]');if(!i)return;
var m=document.createElement('p');m.className='error';m.id='field-'+er.field+'-error';m.textContent=er.message;
i.setAttribute('aria-invalid','true');i.setAttribute('aria-describedby',m.id);i.parentNode.insertBefore(m,i)});
var first=f.querySelector('[aria-invalid=true]');if(first)first.focus()})
.catch(function(){alert('Sending failed, please try again.')})})})})();
`;
}
