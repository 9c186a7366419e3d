// A small DKIM verifier (RFC 6376, rsa-sha256, relaxed/relaxed) with node:crypto, for tests: enough to
// check nodemailer's signatures without a DNS lookup or an extra package.
import { createHash, verify } from 'node:crypto';
import type { KeyLike } from 'node:crypto';

export interface DkimResult {
  ok: boolean;
  reason?: string;
  tags: Record<string, string>;
  signedHeaders: string[];
}

/** Header fields of the message, each with its folded continuation lines. */
function headerFields(head: string): string[] {
  return head.split('\r\n').reduce<string[]>((fields, line) => {
    if (/^[ \t]/.test(line) && fields.length > 0) fields[fields.length - 1] += `\r\n${line}`;
    else fields.push(line);
    return fields;
  }, []);
}

function relaxedHeader(field: string): string {
  const colon = field.indexOf(':');
  const name = field.slice(0, colon).trim().toLowerCase();
  const value = field
    .slice(colon + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
}

function relaxedBody(body: string): string {
  const lines = body.split('\r\n').map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`;
}

function parseTags(value: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) tags[part.slice(0, eq).trim()] = part.slice(eq + 1).replace(/\s+/g, '');
  }
  return tags;
}

export function verifyDkim(raw: Buffer, publicKey: KeyLike): DkimResult {
  const message = raw.toString('latin1');
  const split = message.indexOf('\r\n\r\n');
  const fields = headerFields(message.slice(0, split));
  const body = message.slice(split + 4);
  const signature = fields.find((f) => /^dkim-signature:/i.test(f));
  if (!signature) return { ok: false, reason: 'no DKIM-Signature', tags: {}, signedHeaders: [] };
  const tags = parseTags(signature.slice(signature.indexOf(':') + 1));
  const signedHeaders = (tags.h ?? '').split(':').map((h) => h.trim().toLowerCase());
  const result = (ok: boolean, reason?: string): DkimResult => ({
    ok,
    tags,
    signedHeaders,
    ...(reason ? { reason } : {}),
  });
  if (tags.a !== 'rsa-sha256' || tags.c !== 'relaxed/relaxed')
    return result(false, `unsupported a=${tags.a} c=${tags.c}`);

  const bodyHash = createHash('sha256').update(relaxedBody(body), 'latin1').digest('base64');
  if (bodyHash !== tags.bh) return result(false, 'body hash mismatch');

  // Each name in h= takes the last not-yet-used instance of that header (RFC 6376 5.4.2).
  const unused = fields.filter((f) => f !== signature);
  const signedData = signedHeaders.map((name) => {
    const index = unused.map((f) => f.slice(0, f.indexOf(':')).trim().toLowerCase()).lastIndexOf(name);
    return index < 0 ? '' : `${relaxedHeader(unused.splice(index, 1)[0] ?? '')}\r\n`;
  });
  const withoutB = relaxedHeader(signature).replace(/(^dkim-signature:|;)(\s*b=)[^;]*/, '$1$2');
  const data = Buffer.from(signedData.join('') + withoutB, 'latin1');
  const ok = verify('sha256', data, publicKey, Buffer.from(tags.b ?? '', 'base64'));
  return result(ok, ok ? undefined : 'signature mismatch');
}
