import type { Generated } from 'kysely';

// Column types as the database returns them. Times are ISO-8601 UTC text, JSON is text, booleans are 0/1,
// so SQLite and PostgreSQL behave the same. Names are camelCase here, snake_case in SQL (CamelCasePlugin).

export interface ItemsTable {
  id: string;
  slug: string;
  title: string;
  summary: string;
  body: string;
  bodyHtml: string;
  url: string;
  imageUrl: string | null;
  imageAlt: string | null;
  tags: string;
  language: string;
  translations: string;
  channelTexts: string;
  thread: number;
  status: string;
  revision: number;
  publishedRevision: number | null;
  publishAt: string | null;
  publishTimezone: string | null;
  publishChannels: string | null;
  announce: number;
  scheduleToken: string | null;
  publishedAt: string | null;
  withdrawnAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ItemRevisionsTable {
  itemId: string;
  revision: number;
  fields: string;
  actor: string;
  createdAt: string;
}

export interface DeliveriesTable {
  id: string;
  itemId: string;
  revision: number;
  kind: string;
  target: string;
  action: string;
  status: string;
  attempts: number;
  lastError: string | null;
  errorKind: string | null;
  remoteId: string | null;
  remoteUrl: string | null;
  progress: string;
  nextAttemptAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ChannelAccountsTable {
  id: string;
  platform: string;
  name: string;
  mode: string;
  state: string;
  stateReason: string | null;
  credentials: string | null;
  lastCheckedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OutboxPostsTable {
  id: string;
  deliveryId: string;
  accountId: string;
  itemId: string;
  platform: string;
  action: string;
  text: string;
  payload: string;
  createdAt: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details: string;
}

export interface Database {
  items: ItemsTable;
  itemRevisions: ItemRevisionsTable;
  deliveries: DeliveriesTable;
  channelAccounts: ChannelAccountsTable;
  outboxPosts: OutboxPostsTable;
  auditLog: AuditLogTable;
}
