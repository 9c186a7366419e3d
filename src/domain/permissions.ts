// Who may do what: the one permission table. Every staff route declares the permission it needs, the
// HTTP layer checks it against this table, and docs/web.md shows it (rendered from here, a test keeps
// the two the same).
import type { StaffRole } from './staff.js';

export const AREAS = [
  'items',
  'media',
  'review',
  'submissions',
  'newsletters',
  'members',
  'channels',
  'users',
  'queues',
  'metrics',
  'account',
] as const;
export type Area = (typeof AREAS)[number];
export type Level = 'read' | 'write';
/** What a staff route needs, e.g. `items:write`. */
export type StaffPermission = `${Area}:${Level}`;

/** Who calls: a signed-in person by role, or the API token (`Authorization: Bearer`, the JSON API only). */
export type Principal = StaffRole | 'api';
export const PRINCIPALS: readonly Principal[] = ['contributor', 'editor', 'admin', 'api'];

interface Row {
  /** What the area covers, for the documentation. */
  covers: string;
  read: readonly Principal[];
  write: readonly Principal[];
}

const STAFF = ['editor', 'admin', 'api'] as const;
const ADMINS = ['admin', 'api'] as const;

export const PERMISSION_TABLE: Readonly<Record<Area, Row>> = {
  items: {
    covers:
      'Dashboard, calendar (and its feed address), items: list, read, compose, edit, delete, channel previews',
    read: STAFF,
    write: STAFF,
  },
  media: {
    covers:
      'Uploaded pictures: the media library, uploading (API and editor), editing alt text, deleting an upload no item uses',
    read: STAFF,
    write: STAFF,
  },
  review: {
    covers:
      'Publishing: publish now or at a time (also by moving an item on the calendar), cancel, withdraw, retry deliveries, the outbox; the review queue, approving, asking for changes, rejecting',
    read: STAFF,
    write: STAFF,
  },
  submissions: {
    covers:
      "A contributor's own items, never another's: draft, edit, read with its review history, channel previews, upload a picture, submit for review (the items routes that also declare this area)",
    read: ['contributor'],
    write: ['contributor'],
  },
  newsletters: {
    covers:
      'Newsletters: read, progress, preview with a sample contact (read); create, edit, test send, send, pause, resume, cancel (write)',
    read: STAFF,
    write: ADMINS,
  },
  members: {
    covers:
      "Members and contacts (people's names and addresses): list, import, export, edit; recipient lists; previews as a real contact",
    read: ADMINS,
    write: ADMINS,
  },
  channels: {
    covers:
      'Channel accounts and feed sources: state, last check, "check now"; connecting, reconnecting and disconnecting accounts',
    read: ADMINS,
    write: ADMINS,
  },
  users: {
    covers: 'Staff users: add, change role, disable, set password',
    read: ['admin'],
    write: ['admin'],
  },
  queues: {
    covers: 'Queue dashboard (`/admin/queues`), read-only for everybody',
    read: ['admin'],
    write: [],
  },
  metrics: {
    covers: 'Prometheus `/metrics`: only with `HERALD_METRICS_TOKEN`, never a session',
    read: [],
    write: [],
  },
  account: {
    covers: 'Their own account: name, time zone, password, sessions, signing out',
    read: ['contributor', 'editor', 'admin'],
    write: ['contributor', 'editor', 'admin'],
  },
};

export function isStaffPermission(value: unknown): value is StaffPermission {
  if (typeof value !== 'string') return false;
  const [area, level, ...rest] = value.split(':');
  return (
    rest.length === 0 &&
    (AREAS as readonly string[]).includes(area!) &&
    (level === 'read' || level === 'write')
  );
}

export function can(principal: Principal, permission: StaffPermission): boolean {
  const [area, level] = permission.split(':') as [Area, Level];
  return PERMISSION_TABLE[area][level].includes(principal);
}

const NAMES: Record<Principal, string> = {
  contributor: 'contributor',
  editor: 'editor',
  admin: 'admin',
  api: 'API token',
};

/** The table as Markdown, for docs/web.md. */
export function permissionTableMarkdown(): string {
  const mark = (row: Row, who: Principal) => {
    const read = row.read.includes(who);
    const write = row.write.includes(who);
    return write && read ? 'read, write' : read ? 'read' : write ? 'write' : '—';
  };
  const head = `| area | what it covers | ${PRINCIPALS.map((p) => NAMES[p]).join(' | ')} |`;
  const rule = `|${'---|'.repeat(PRINCIPALS.length + 2)}`;
  const rows = AREAS.map(
    (area) =>
      `| \`${area}\` | ${PERMISSION_TABLE[area].covers} | ${PRINCIPALS.map((p) => mark(PERMISSION_TABLE[area], p)).join(' | ')} |`,
  );
  return [head, rule, ...rows].join('\n');
}

/** The generated section of docs/web.md lies between these two lines. */
export const PERMISSION_TABLE_MARKERS = [
  '<!-- permission-table: generated from src/domain/permissions.ts by `npx tsx scripts/permission-table.ts` -->',
  '<!-- permission-table: end -->',
] as const;
