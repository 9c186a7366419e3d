import { escapeXmlAttr, escapeXmlText } from './xml-text.js';

/**
 * Works around the `feed` package's XML escaping: it writes CDATA that breaks on a second `]]>`,
 * leaves `<` and (for RSS category domains) `&` raw in attributes, turns a literal "&amp;" in text
 * into "&", and passes control characters through.
 *
 * Every piece of item or site text goes into the Feed object as an opaque slot token
 * (private-use characters and digits, which the package copies verbatim); after the package has
 * written the XML, `fill` puts each value back, escaped by us. A token that the package wrapped in
 * CDATA is replaced together with its CDATA markers. URLs are not slotted: they are normalised by
 * `new URL` first (ASCII only, `<` `"` and controls percent-encoded) and the package escapes their `&`.
 */
export class XmlSlots {
  private readonly values: string[] = [];

  /** A token standing for `value`; undefined for an empty value so the package omits the element. */
  slot(value: string): string | undefined {
    if (value === '') return undefined;
    this.values.push(value);
    return `\uE000${this.values.length - 1}\uE001`;
  }

  /** Like `slot`, for a value that must be present. */
  required(value: string): string {
    this.values.push(value);
    return `\uE000${this.values.length - 1}\uE001`;
  }

  fill(xml: string): string {
    return xml.replace(
      /<!\[CDATA\[\uE000(\d+)\uE001\]\]>|\uE000(\d+)\uE001/g,
      (_match, inCdata?: string, plain?: string) => {
        if (inCdata !== undefined) return escapeXmlText(this.valueAt(inCdata));
        return escapeXmlAttr(this.valueAt(plain ?? ''));
      },
    );
  }

  private valueAt(index: string): string {
    const value = this.values[Number(index)];
    if (value === undefined) throw new Error(`feed XML slot ${index} has no value`);
    return value;
  }
}
