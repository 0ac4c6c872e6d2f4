// Inbound html is shown to agents inside the console: nothing in it may run code, submit data or
// reveal to the sender that (and when) it was opened. Remote images are therefore kept only as
// `data-remote-src` until an agent asks to load them.
import sanitizeHtml from 'sanitize-html';

export interface SanitizeOptions {
  /** Keep `http(s)` image sources as they are (default false: moved to data-remote-src). */
  allowRemoteImages?: boolean;
}

// Style values may not load anything or run anything.
const SAFE_STYLE_VALUE = [/^(?!.*(?:url\s*\(|expression\s*\(|javascript:|@import|\\)).*$/i];
const STYLE_PROPERTIES = [
  'color', 'background-color', 'font-size', 'font-weight', 'font-style', 'font-family', 'text-align',
  'text-decoration', 'vertical-align', 'line-height', 'white-space', 'direction',
  'margin', 'margin-top', 'margin-bottom', 'margin-left', 'margin-right',
  'padding', 'padding-top', 'padding-bottom', 'padding-left', 'padding-right',
  'border', 'border-top', 'border-bottom', 'border-left', 'border-right', 'border-collapse', 'border-color',
  'border-style', 'border-width', 'width', 'height', 'max-width', 'min-width', 'display',
];

const REMOTE_SRC = /^\s*(?:https?:)?\/\//i;

function baseOptions(opts: SanitizeOptions): sanitizeHtml.IOptions {
  return {
    allowedTags: [
      ...sanitizeHtml.defaults.allowedTags,
      'img', 'span', 'font', 'center', 'u', 's', 'strike', 'small', 'big', 'del', 'ins', 'sub', 'sup',
    ],
    // Content of these is dropped entirely, not just the tag.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'select', 'button', 'template'],
    allowedAttributes: {
      a: ['href', 'name', 'title', 'target', 'rel'],
      img: ['src', 'alt', 'title', 'width', 'height', 'data-remote-src'],
      font: ['color', 'size', 'face'],
      td: ['colspan', 'rowspan', 'align', 'valign', 'width'],
      th: ['colspan', 'rowspan', 'align', 'valign', 'width'],
      table: ['width', 'border', 'cellpadding', 'cellspacing', 'align'],
      ol: ['start', 'type'],
      '*': ['style', 'dir', 'lang', 'align'],
    },
    allowedStyles: { '*': Object.fromEntries(STYLE_PROPERTIES.map((p) => [p, SAFE_STYLE_VALUE])) },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: opts.allowRemoteImages ? ['cid', 'data', 'http', 'https'] : ['cid', 'data'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
    allowProtocolRelative: false,
    transformTags: {
      a: (tagName, attribs) => ({
        tagName,
        attribs: { ...attribs, rel: 'noopener noreferrer', target: '_blank' },
      }),
      img: (tagName, attribs) => {
        // Only we may set data-remote-src, and only to an http(s) URL.
        const { src = '', 'data-remote-src': _forged, ...rest } = attribs;
        if (opts.allowRemoteImages || !REMOTE_SRC.test(src)) return { tagName, attribs: src ? { ...rest, src } : rest };
        const absolute = src.trim().startsWith('//') ? `https:${src.trim()}` : src.trim();
        return { tagName, attribs: { ...rest, 'data-remote-src': absolute } };
      },
    },
  };
}

export function sanitizeEmailHtml(html: string, opts: SanitizeOptions = {}): string {
  return sanitizeHtml(html, baseOptions(opts)).trim();
}
