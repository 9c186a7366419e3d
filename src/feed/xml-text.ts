/**
 * Text helpers for XML 1.0 output. XML 1.0 cannot carry U+0000-U+001F (except tab, LF, CR),
 * U+FFFE/U+FFFF or unpaired surrogates, not even as character references, so they are removed.
 */

// Everything outside the XML 1.0 `Char` production; with /u a lone surrogate is one code point.
const XML_ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes characters that XML 1.0 cannot represent. */
export function removeXmlIllegalChars(text: string): string {
  return text.replace(XML_ILLEGAL, '');
}

// Chained replaceAll with a quick test first: several times faster than one regex with a callback
// on the megabytes of HTML a large rebuild escapes.

/** Escapes text content (`>` too, so `]]>` cannot appear; CR as a reference so parsers keep it). */
export function escapeXmlText(text: string): string {
  if (!/[&<>\r]/.test(text)) return text;
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('\r', '&#13;');
}

/** Escapes an attribute value (also safe as text content); keeps tab/LF/CR through attribute normalisation. */
export function escapeXmlAttr(text: string): string {
  if (!/[&<>"'\t\n\r]/.test(text)) return text;
  return escapeXmlText(text)
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
    .replaceAll('\t', '&#9;')
    .replaceAll('\n', '&#10;');
}

/** Plain text to HTML text (for fields whose type is HTML, such as Atom `type="html"` and RSS description). */
export function escapeHtml(text: string): string {
  if (!/[&<>"']/.test(text)) return text;
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * Text content as a CDATA section: one scan instead of four replacements, for the large HTML bodies.
 * A `]]>` inside is split across two sections, so any text is safe (it must already be free of
 * characters XML cannot carry, see removeXmlIllegalChars).
 */
export function xmlCdata(text: string): string {
  return `<![CDATA[${text.includes(']]>') ? text.replaceAll(']]>', ']]]]><![CDATA[>') : text}]]>`;
}
