/**
 * Sanitised HTML from a source feed, as a Markdown item body that renders back to the same HTML.
 *
 * Item bodies are Markdown, and Markdown passes HTML through only inside an HTML block, which ends
 * at the first blank line: after it, an indented line would become a code block and `*a*` emphasis.
 * So the HTML goes in one `<div>` block (the sanitiser drops the div itself when rendering) and each
 * blank line becomes a line holding `&#10;`, a newline character reference: it keeps the block going,
 * renders as the newline it replaces inside `<pre>`, and as ordinary white space elsewhere.
 */
export function htmlAsMarkdown(html: string): string {
  const trimmed = html.trim();
  if (trimmed === '') return '';
  const noBlankLines = trimmed.replace(/\r\n?/g, '\n').replace(/^([ \t]*)\n/gm, '$1&#10;');
  return `<div>\n${noBlankLines}\n</div>`;
}
