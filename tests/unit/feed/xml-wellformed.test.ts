import { describe, expect, it } from 'vitest';
import { escapeXmlAttr, escapeXmlText, removeXmlIllegalChars } from '../../../src/feed/xml-text.js';
import { checkXmlWellFormed } from '../../../src/feed/xml-wellformed.js';

const doc = (inner: string) =>
  `<?xml version="1.0" encoding="utf-8"?>\n<root xmlns:a="urn:a">${inner}</root>`;

describe('checkXmlWellFormed', () => {
  it.each([
    ['text and references', 'a &amp; b &lt; &#233; &#x1F389; <![CDATA[ <x> & ]]> <!-- c --> <?pi x?>'],
    ['attributes', '<e x="1 &amp; 2" y=\'&quot;\' a:z="3"/>'],
    ['nesting', '<a:e><f>t</f></a:e>'],
    ['emoji and RTL', '<e>🎉 עברית</e>'],
  ])('accepts %s', (_name, inner) => {
    expect(checkXmlWellFormed(doc(inner))).toEqual({ ok: true, root: 'root' });
  });

  it.each([
    ['a raw ampersand', 'a & b', "'&' does not start a reference"],
    ['an HTML entity', 'a&nbsp;b', 'undefined entity &nbsp;'],
    ['a second ]]>', '<![CDATA[ a ]]> b ]]>', "']]>' is not allowed in text"],
    ['a control character', 'a\u0001b', 'U+0001 is not allowed'],
    ['U+FFFE', 'a\uFFFEb', 'U+FFFE is not allowed'],
    ['a lone surrogate', 'a\uD800b', 'U+D800 is not allowed'],
    ['a reference to NUL', 'a&#0;b', 'not an XML character'],
    ['< in an attribute', '<e x="a<b"/>', "'<' is not allowed in attribute x"],
    ['& in an attribute', '<e x="a&b"/>', "'&' does not start a reference"],
    ['an unquoted attribute', '<e x=1/>', 'not quoted'],
    ['a duplicate attribute', '<e x="1" x="2"/>', 'duplicate attribute x'],
    ['a mismatched end tag', '<a><b></a></b>', '</a> closes <b>'],
    ['an unclosed element', '<a>', '</root> closes <a>'],
    ['an undeclared prefix', '<dc:creator>x</dc:creator>', 'namespace prefix dc is not declared'],
    ['a bare <', 'a < b', "'<' does not start a tag"],
    ['-- in a comment', '<!-- a -- b -->', "'--' is not allowed"],
  ])('rejects %s', (_name, inner, message) => {
    const result = checkXmlWellFormed(doc(inner));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });

  it('rejects text outside the root, two roots, a late XML declaration and an empty document', () => {
    expect(checkXmlWellFormed('<a/>x').ok).toBe(false);
    expect(checkXmlWellFormed('<a/><b/>').ok).toBe(false);
    expect(checkXmlWellFormed('\n<?xml version="1.0"?><a/>').ok).toBe(false);
    expect(checkXmlWellFormed('').ok).toBe(false);
    expect(checkXmlWellFormed('<a><b></b>')).toMatchObject({
      ok: false,
      error: expect.stringContaining('element <a> is not closed'),
    });
  });

  it('says where the problem is', () => {
    expect(checkXmlWellFormed('<a>\n  <b>&</b></a>')).toEqual({
      ok: false,
      error: "line 2, column 6: '&' does not start a reference (escape it as &amp;)",
    });
  });
});

describe('XML text helpers', () => {
  it('removes exactly the characters XML 1.0 cannot carry', () => {
    const c0 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
    expect(removeXmlIllegalChars(`${c0}\uFFFE\uFFFF\uD800x\uDC00🎉\uE000`)).toBe('\t\n\rx🎉\uE000');
  });

  it('escapes text and attribute values so that they parse back unchanged', () => {
    const value = `a & b < c > d ]]> "q" 'a' \t\r\n &amp;`;
    const xml = `<r a="${escapeXmlAttr(value)}">${escapeXmlText(value)}</r>`;
    expect(checkXmlWellFormed(xml).ok).toBe(true);
    expect(escapeXmlText(value)).not.toContain(']]>');
  });
});
