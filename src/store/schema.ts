import type { ColumnType, Generated } from 'kysely';
import type { ItemReview } from '../domain/review.js';
import type { NewsItem } from '../domain/item.js';
import type { Newsletter, Recipient } from '../domain/newsletter-send.js';

// Column types as the database returns them. Times are ISO-8601 UTC text, JSON is text, booleans are 0/1,
// so SQLite and PostgreSQL behave the same. Names are camelCase here, snake_case in SQL (CamelCasePlugin).

/** An item row: the NewsItem with lists and maps as JSON text and booleans as 0/1. */
export interface ItemsTable extends Omit<
  NewsItem,
  | 'imageId'
  | 'imageFile'
  | 'tags'
  | 'translations'
  | 'channelTexts'
  | 'thread'
  | 'status'
  | 'publishChannels'
  | 'announce'
> {
  /** An uploaded picture (media.id); null for none or a remote imageUrl. Added by migration 012. */
  imageId: ColumnType<string | null, string | null | undefined, string | null>;
  tags: string;
  translations: string;
  channelTexts: string;
  thread: number;
  status: string;
  publishChannels: string | null;
  announce: number;
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

export interface OauthStatesTable {
  state: string;
  platform: string;
  verifier: string;
  instanceUrl: string | null;
  /** The account being reconnected, or null for a new one. */
  accountId: string | null;
  staffUserId: string;
  expiresAt: string;
}

export interface ConnectedAccountsTable {
  id: string;
  platform: string;
  name: string;
  apiUrl: string | null;
  /** Encrypted JSON of the account's credential keys (src/channels/secrets). */
  credentials: string;
  tokenExpiresAt: string | null;
  connectedBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface OauthAppsTable {
  instanceUrl: string;
  clientId: string;
  /** Encrypted. */
  clientSecret: string;
  createdAt: string;
}

export interface DryRunPostsTable {
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

export interface StaffUsersTable {
  id: string;
  email: string;
  name: string;
  role: string;
  passwordHash: string;
  timezone: string | null;
  language: string | null;
  /** A contributor's member authority (authorities.id); null for editors and admins. Added by migration 018. */
  memberId: ColumnType<string | null, string | null | undefined, string | null>;
  disabled: number;
  passwordChangedAt: string;
  lastLoginAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ItemReviewsTable extends Omit<ItemReview, 'state'> {
  state: string;
}

export interface ReviewEventsTable {
  id: Generated<number>;
  itemId: string;
  action: string;
  actor: string;
  at: string;
  comment: string | null;
  revision: number;
}

export interface StaffSessionsTable {
  /** SHA-256 (hex) of the session token; the token itself only lives in the cookie. */
  id: string;
  userId: string;
  csrfToken: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

// Feeds (migration 002-feeds).
export interface FeedBuildsTable {
  id: Generated<number>;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  items: number | null;
  variants: number | null;
  filesWritten: number | null;
  error: string | null;
  websubError: string | null;
}

export interface FeedSourcesTable {
  id: string;
  url: string;
  etag: string | null;
  lastModified: string | null;
  lastPolledAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorKind: string | null;
  lastErrorAt: string | null;
  consecutiveFailures: number;
  /** JSON list of {key, reason} for entries the last poll could not import. */
  lastSkipped: string;
  itemsCreated: number;
  createdAt: string;
  updatedAt: string;
}

export interface FeedSourceEntriesTable {
  sourceId: string;
  /** SHA-256 (hex) of entryKey: a short primary key whatever the key's length. */
  keyHash: string;
  entryKey: string;
  itemId: string;
  entryDate: string | null;
  /** 1 while a `publish` source's item still has to be published (crash between create and publish). */
  publishPending: number;
  createdAt: string;
}

export interface WebhookItemsTable {
  externalId: string;
  itemId: string;
  createdAt: string;
}

export interface RequestKeysTable {
  scope: string;
  key: string;
  fingerprint: string;
  /** Null while the first request with this key is still running. */
  status: number | null;
  /** JSON of the stored answer (`StoredResponse`). */
  response: string | null;
  createdAt: string;
  expiresAt: string;
}

export interface LeasesTable {
  name: string;
  holder: string | null;
  expiresAt: string | null;
}

export interface Database {
  items: ItemsTable;
  itemRevisions: ItemRevisionsTable;
  deliveries: DeliveriesTable;
  channelAccounts: ChannelAccountsTable;
  oauthStates: OauthStatesTable;
  connectedAccounts: ConnectedAccountsTable;
  oauthApps: OauthAppsTable;
  dryRunPosts: DryRunPostsTable;
  auditLog: AuditLogTable;
  feedBuilds: FeedBuildsTable;
  feedSources: FeedSourcesTable;
  feedSourceEntries: FeedSourceEntriesTable;
  webhookItems: WebhookItemsTable;
  leases: LeasesTable;
  requestKeys: RequestKeysTable;
  staffUsers: StaffUsersTable;
  staffSessions: StaffSessionsTable;
  authorities: AuthoritiesTable;
  contacts: ContactsTable;
  newsletters: NewslettersTable;
  newsletterRecipients: NewsletterRecipientsTable;
  newsletterState: NewsletterStateTable;
  calendarFeeds: CalendarFeedsTable;
  mailFeedbackEvents: MailFeedbackEventsTable;
  mailSuppressions: MailSuppressionsTable;
  mailFeedbackUnparsed: MailFeedbackUnparsedTable;
  media: MediaTable;
  remoteImages: RemoteImagesTable;
  subscriptionRequests: SubscriptionRequestsTable;
  contactConsents: ContactConsentsTable;
  itemReviews: ItemReviewsTable;
  reviewEvents: ReviewEventsTable;
}

// --- Remote images (migration 015) ------------------------------------------------------------

/** What a HEAD of an item's imageUrl said (the feeds' enclosure length and type); null: not said. */
export interface RemoteImagesTable {
  url: string;
  type: string | null;
  bytes: number | null;
  checkedAt: string;
}

// --- Media (migration 012) --------------------------------------------------------------------

export interface MediaTable {
  id: string;
  hash: string;
  type: string;
  width: number;
  height: number;
  bytes: number;
  alt: string;
  /** JSON: derivative name -> {hash, type, width, height, bytes}. */
  derivatives: string;
  createdBy: string;
  createdAt: string;
}

// --- Newsletters (migration 003) ---------------------------------------------------------------

export interface AuthoritiesTable {
  id: string;
  name: string;
  nameKey: string;
  country: string;
  regionType: string;
  createdAt: string;
  updatedAt: string;
}

export interface ContactsTable {
  id: string;
  /** Null for a follower (subscribed on the public form; migration 011). */
  authorityId: string | null;
  name: string;
  email: string;
  emailKey: string;
  language: string;
  status: string;
  statusReason: string | null;
  statusChangedAt: string | null;
  announcements: number;
  digest: number;
  createdAt: string;
  updatedAt: string;
}

/** A newsletter row: the Newsletter with its lists as JSON text, and the key of an automatic one. */
export interface NewslettersTable extends Omit<
  Newsletter,
  'kind' | 'itemIds' | 'status' | 'source' | 'content'
> {
  kind: string;
  itemIds: string;
  status: string;
  source: string;
  sourceKey: string | null;
  content: string | null;
}

export interface NewsletterRecipientsTable extends Omit<Recipient, 'status'> {
  status: string;
}

export interface NewsletterStateTable {
  key: string;
  value: string;
  updatedAt: string;
}

// --- Calendar (migration 010) ------------------------------------------------------------------

export interface CalendarFeedsTable {
  userId: string;
  token: string;
  createdAt: string;
}

// --- Mail feedback (migration 008) -------------------------------------------------------------

export interface MailFeedbackEventsTable {
  id: string;
  kind: string;
  source: string;
  eventKey: string;
  contactId: string | null;
  newsletterId: string | null;
  recipientId: string | null;
  detail: string;
  occurredAt: string;
  createdAt: string;
}

export interface MailSuppressionsTable {
  addressHash: string;
  reason: string;
  source: string;
  contactId: string | null;
  detail: string;
  createdAt: string;
  updatedAt: string;
}

export interface MailFeedbackUnparsedTable {
  id: string;
  receivedAt: string;
  folder: string;
  messageId: string | null;
  sender: string | null;
  subject: string | null;
  reason: string;
  newsletterId: string | null;
  createdAt: string;
}

// --- Public subscription (migration 011) -------------------------------------------------------

export interface SubscriptionRequestsTable {
  id: string;
  addressHash: string;
  email: string;
  language: string;
  /** JSON list: announcements, digest. */
  subscriptions: string;
  wordingVersion: string;
  source: string;
  mailed: number;
  requestedAt: string;
  expiresAt: string;
  confirmedAt: string | null;
  contactId: string | null;
}

export interface ContactConsentsTable {
  id: string;
  contactId: string;
  requestId: string;
  subscriptions: string;
  language: string;
  wordingVersion: string;
  source: string;
  requestedAt: string;
  givenAt: string;
}
