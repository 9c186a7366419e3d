import { escapeHtml } from './pages.js';

// A mail has no landmarks (mail clients drop them); the same HTML opened as a web page needs a `main` and
// an `h1` so screen readers can find the content. The heading is the subject, which the mail shows nowhere
// else; it is visually hidden so the page looks like the mail.
const HIDDEN =
  'position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0';

/** The mail's HTML with its body wrapped in `<main>` under an `<h1>` carrying the subject. */
export function withLandmarks(html: string, subject: string): string {
  const open = /<body\b[^>]*>/i.exec(html);
  const close = html.lastIndexOf('</body>');
  if (!open || close < open.index) throw new Error('the newsletter HTML has no <body>');
  const start = open.index + open[0].length;
  return `${html.slice(0, start)}<main><h1 style="${HIDDEN}">${escapeHtml(subject)}</h1>${html.slice(start, close)}</main>${html.slice(close)}`;
}
