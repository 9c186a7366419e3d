/**
 * A strict XML 1.0 (+ Namespaces) well-formedness check, used by `herald feed check` and the tests.
 * xml2js/sax (under rss-parser) accept control characters, `<` in attribute values, HTML entities
 * such as `&nbsp;` and garbled CDATA, so they cannot tell whether a feed is well-formed.
 * Not a validator: no DTD processing (with a DOCTYPE, undeclared entity names are not reported).
 */

export type XmlCheck = { ok: true; root: string } | { ok: false; error: string };

const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_MORE = '\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040';
const NAME_PATTERN = `[${NAME_START}][${NAME_START}${NAME_MORE}]*`;
/* eslint-disable no-misleading-character-class -- code point ranges from the XML spec (NameChar includes combining marks) */
const NAME = new RegExp(NAME_PATTERN, 'uy');
const REFERENCE = new RegExp(`&(?:#([0-9]+)|#x([0-9a-fA-F]+)|(${NAME_PATTERN}));`, 'uy');
/* eslint-enable no-misleading-character-class */
const ILLEGAL_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const PREDEFINED_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
const WHITESPACE = /^[ \t\r\n]*$/;

class NotWellFormed extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

interface OpenElement {
  name: string;
  /** Namespace prefixes declared on this element. */
  prefixes: Set<string> | null;
}

export function checkXmlWellFormed(xml: string): XmlCheck {
  try {
    return { ok: true, root: new WellFormednessScanner(xml).scan() };
  } catch (error) {
    if (!(error instanceof NotWellFormed)) throw error;
    return { ok: false, error: `${position(xml, error.at)}: ${error.message}` };
  }
}

function position(xml: string, index: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = xml.indexOf('\n'); i !== -1 && i < index; i = xml.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${index - lineStart + 1}`;
}

class WellFormednessScanner {
  private pos = 0;
  private readonly open: OpenElement[] = [];
  private root: string | null = null;
  private rootClosed = false;
  private hasDoctype = false;

  constructor(private readonly xml: string) {}

  scan(): string {
    const illegal = ILLEGAL_CHAR.exec(this.xml);
    if (illegal) {
      const code = illegal[0].codePointAt(0) ?? 0;
      this.fail(
        illegal.index,
        `character U+${code.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`,
      );
    }
    if (this.xml.startsWith('\uFEFF')) this.pos = 1;
    if (/^<\?xml[ \t\r\n]/.test(this.xml.slice(this.pos, this.pos + 6))) this.readDeclaration();
    while (this.pos < this.xml.length) {
      const lt = this.xml.indexOf('<', this.pos);
      this.checkText(this.pos, lt === -1 ? this.xml.length : lt);
      if (lt === -1) break;
      this.pos = lt;
      this.readMarkup();
    }
    if (this.open.length > 0) this.fail(this.xml.length, `element <${this.open.at(-1)?.name}> is not closed`);
    if (this.root === null) this.fail(this.xml.length, 'no root element');
    return this.root;
  }

  private fail(at: number, message: string): never {
    throw new NotWellFormed(at, message);
  }

  private startsWith(token: string): boolean {
    return this.xml.startsWith(token, this.pos);
  }

  private readDeclaration(): void {
    const end = this.indexOrFail('?>', this.pos, 'XML declaration is not closed');
    const declaration = this.xml.slice(this.pos, end);
    if (!/^<\?xml\s+version\s*=\s*(["'])1\.\d+\1/.test(declaration))
      this.fail(this.pos, 'XML declaration has no valid version');
    this.pos = end + 2;
  }

  private readMarkup(): void {
    if (this.startsWith('<!--')) return this.readComment();
    if (this.startsWith('<![CDATA[')) return this.readCdata();
    if (this.startsWith('<!DOCTYPE')) return this.readDoctype();
    if (this.startsWith('<?')) return this.readProcessingInstruction();
    if (this.startsWith('</')) return this.readEndTag();
    return this.readStartTag();
  }

  private indexOrFail(token: string, from: number, message: string): number {
    const index = this.xml.indexOf(token, from);
    if (index === -1) this.fail(this.pos, message);
    return index;
  }

  private readComment(): void {
    const end = this.indexOrFail('-->', this.pos + 4, 'comment is not closed');
    const doubleDash = this.xml.slice(this.pos + 4, end).indexOf('--');
    if (doubleDash !== -1 || this.xml[end - 1] === '-')
      this.fail(this.pos, "'--' is not allowed inside a comment");
    this.pos = end + 3;
  }

  private readCdata(): void {
    if (this.open.length === 0) this.fail(this.pos, 'CDATA section outside the root element');
    this.pos = this.indexOrFail(']]>', this.pos + 9, 'CDATA section is not closed') + 3;
  }

  private readDoctype(): void {
    if (this.root !== null || this.hasDoctype)
      this.fail(this.pos, 'DOCTYPE must come once, before the root element');
    this.hasDoctype = true;
    const close = this.indexOrFail('>', this.pos, 'DOCTYPE is not closed');
    const subset = this.xml.indexOf('[', this.pos);
    const end =
      subset !== -1 && subset < close
        ? this.indexOrFail(']', subset, 'DOCTYPE internal subset is not closed')
        : close;
    this.pos = this.indexOrFail('>', end, 'DOCTYPE is not closed') + 1;
  }

  private readProcessingInstruction(): void {
    const target = this.nameAt(this.pos + 2);
    if (target === null) this.fail(this.pos, 'processing instruction has no target');
    if (target.toLowerCase() === 'xml')
      this.fail(this.pos, 'XML declaration is only allowed at the very start');
    this.pos = this.indexOrFail('?>', this.pos, 'processing instruction is not closed') + 2;
  }

  private readEndTag(): void {
    const start = this.pos;
    const name = this.nameAt(this.pos + 2);
    if (name === null) this.fail(start, 'invalid end tag');
    const expected = this.open.at(-1)?.name;
    if (name !== expected) {
      this.fail(start, expected ? `</${name}> closes <${expected}>` : `</${name}> has no start tag`);
    }
    this.pos += 2 + name.length;
    this.skipWhitespace();
    if (!this.startsWith('>')) this.fail(this.pos, `end tag </${name}> is not closed`);
    this.pos++;
    this.open.pop();
    if (this.open.length === 0) this.rootClosed = true;
  }

  private readStartTag(): void {
    const start = this.pos;
    const name = this.nameAt(this.pos + 1);
    if (name === null) this.fail(start, "'<' does not start a tag (escape it as &lt;)");
    if (this.rootClosed) this.fail(start, `second root element <${name}>`);
    this.root ??= name;
    this.pos += 1 + name.length;
    const attributes = this.readAttributes(name);
    const element: OpenElement = { name, prefixes: declaredPrefixes(attributes) };
    this.open.push(element);
    this.checkPrefix(name, start);
    for (const attribute of attributes.keys()) {
      if (attribute !== 'xmlns' && !attribute.startsWith('xmlns:')) this.checkPrefix(attribute, start);
    }
    if (this.startsWith('/>')) {
      this.pos += 2;
      this.open.pop();
      if (this.open.length === 0) this.rootClosed = true;
    } else {
      this.pos++;
    }
  }

  /** Reads attributes up to (not including) `>` or `/>`. */
  private readAttributes(element: string): Map<string, string> {
    const attributes = new Map<string, string>();
    for (;;) {
      const before = this.pos;
      this.skipWhitespace();
      if (this.startsWith('>') || this.startsWith('/>')) return attributes;
      if (this.pos === before) this.fail(this.pos, `expected whitespace, '>' or '/>' in <${element}>`);
      const name = this.nameAt(this.pos);
      if (name === null) this.fail(this.pos, `invalid attribute name in <${element}>`);
      if (attributes.has(name)) this.fail(this.pos, `duplicate attribute ${name} in <${element}>`);
      this.pos += name.length;
      this.skipWhitespace();
      if (!this.startsWith('=')) this.fail(this.pos, `attribute ${name} has no value`);
      this.pos++;
      this.skipWhitespace();
      attributes.set(name, this.readAttributeValue(name));
    }
  }

  private readAttributeValue(name: string): string {
    const quote = this.xml[this.pos];
    if (quote !== '"' && quote !== "'") this.fail(this.pos, `value of attribute ${name} is not quoted`);
    const end = this.indexOrFail(quote, this.pos + 1, `value of attribute ${name} is not closed`);
    const value = this.xml.slice(this.pos + 1, end);
    const lt = value.indexOf('<');
    if (lt !== -1) this.fail(this.pos + 1 + lt, `'<' is not allowed in attribute ${name}`);
    this.checkReferences(this.pos + 1, end);
    this.pos = end + 1;
    return value;
  }

  private checkText(from: number, to: number): void {
    if (from === to) return;
    if (this.open.length === 0) {
      if (!WHITESPACE.test(this.xml.slice(from, to))) this.fail(from, 'text outside the root element');
      return;
    }
    const cdataEnd = this.xml.slice(from, to).indexOf(']]>');
    if (cdataEnd !== -1) this.fail(from + cdataEnd, "']]>' is not allowed in text");
    this.checkReferences(from, to);
  }

  private checkReferences(from: number, to: number): void {
    for (
      let amp = this.xml.indexOf('&', from);
      amp !== -1 && amp < to;
      amp = this.xml.indexOf('&', amp + 1)
    ) {
      REFERENCE.lastIndex = amp;
      const match = REFERENCE.exec(this.xml);
      if (!match || amp + match[0].length > to)
        this.fail(amp, "'&' does not start a reference (escape it as &amp;)");
      const [, decimal, hex, entity] = match;
      if (entity !== undefined) {
        if (!PREDEFINED_ENTITIES.has(entity) && !this.hasDoctype)
          this.fail(amp, `undefined entity &${entity};`);
      } else {
        const code = parseInt(decimal ?? hex ?? '', decimal !== undefined ? 10 : 16);
        if (!isXmlChar(code)) this.fail(amp, `character reference ${match[0]} is not an XML character`);
      }
    }
  }

  private checkPrefix(qualifiedName: string, at: number): void {
    const parts = qualifiedName.split(':');
    if (parts.length > 2 || parts.some((p) => p === ''))
      this.fail(at, `invalid qualified name ${qualifiedName}`);
    if (parts.length === 1) return;
    const prefix = parts[0] ?? '';
    if (prefix === 'xml') return;
    if (!this.open.some((e) => e.prefixes?.has(prefix)))
      this.fail(at, `namespace prefix ${prefix} is not declared`);
  }

  private nameAt(index: number): string | null {
    NAME.lastIndex = index;
    return NAME.exec(this.xml)?.[0] ?? null;
  }

  private skipWhitespace(): void {
    while (this.pos < this.xml.length && ' \t\r\n'.includes(this.xml[this.pos] ?? '')) this.pos++;
  }
}

function declaredPrefixes(attributes: Map<string, string>): Set<string> | null {
  let prefixes: Set<string> | null = null;
  for (const name of attributes.keys()) {
    if (name.startsWith('xmlns:')) (prefixes ??= new Set()).add(name.slice(6));
  }
  return prefixes;
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}
