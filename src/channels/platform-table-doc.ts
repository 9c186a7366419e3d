import type { PlatformRow } from './adapter.js';
import { platformRows } from './platforms.js';

export const DOC_START =
  '<!-- platform table: generated from src/channels/platforms.ts by scripts/platform-table.ts -->';
export const DOC_END = '<!-- end of platform table -->';

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

function line(row: PlatformRow): string {
  const { update, delete: remove, thread, images, altText } = row.capabilities;
  const env = Object.values(row.envVars)
    .map((name) => `\`${name}\``)
    .join(', ');
  const limit = row.limits.textLength === null ? 'none' : String(row.limits.textLength);
  return `| \`${row.id}\` | ${row.displayName} | ${limit} | ${yesNo(update)} | ${yesNo(remove)} | ${yesNo(thread)} | ${yesNo(images)} | ${yesNo(altText)} | ${env} | \`${row.defaultApiUrl}\` |`;
}

/** docs/social.md's platform table, markers included: one line per row of the platform table. */
export function platformTableMarkdown(): string {
  return [
    DOC_START,
    '| Platform | Name | Characters per post | Edit | Delete | Thread | Images | Alt text | Environment variables | Default API address |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...platformRows().map(line),
    DOC_END,
  ].join('\n');
}

/** `doc` with its platform table replaced by the current one; null when the markers are missing. */
export function withCurrentPlatformTable(doc: string): string | null {
  const start = doc.indexOf(DOC_START);
  const end = doc.indexOf(DOC_END);
  if (start < 0 || end < start) return null;
  return doc.slice(0, start) + platformTableMarkdown() + doc.slice(end + DOC_END.length);
}
