import type { Kysely, Selectable } from 'kysely';
import type { PlatformId } from '../domain/platform.js';
import type { ConnectedAccountsTable, Database, OauthStatesTable } from './schema.js';
import { nowIso } from './db.js';

type Db = Kysely<Database>;

export type OAuthState = Selectable<OauthStatesTable>;

export async function saveOAuthState(db: Db, state: OAuthState): Promise<void> {
  await db.deleteFrom('oauthStates').where('expiresAt', '<', nowIso()).execute();
  await db.insertInto('oauthStates').values(state).execute();
}

/** The state's row, removed at once (a state works once); null when unknown, used or expired. */
export async function takeOAuthState(db: Db, state: string): Promise<OAuthState | null> {
  const row = await db.selectFrom('oauthStates').selectAll().where('state', '=', state).executeTakeFirst();
  if (!row) return null;
  const deleted = await db.deleteFrom('oauthStates').where('state', '=', state).executeTakeFirst();
  // Two callbacks racing with one state: only the one that removed the row goes on.
  if (Number(deleted.numDeletedRows) !== 1) return null;
  return row.expiresAt > nowIso() ? row : null;
}

export interface ConnectedAccountRow {
  id: string;
  platform: PlatformId;
  name: string;
  apiUrl: string | null;
  /** Encrypted. */
  credentials: string;
  tokenExpiresAt: string | null;
  connectedBy: string;
}

const toRow = (row: Selectable<ConnectedAccountsTable>): ConnectedAccountRow => ({
  id: row.id,
  platform: row.platform as PlatformId,
  name: row.name,
  apiUrl: row.apiUrl,
  credentials: row.credentials,
  tokenExpiresAt: row.tokenExpiresAt,
  connectedBy: row.connectedBy,
});

export async function listConnectedAccounts(db: Db): Promise<ConnectedAccountRow[]> {
  return (await db.selectFrom('connectedAccounts').selectAll().orderBy('id').execute()).map(toRow);
}

/** Adds the account, or replaces the credentials of one connected again (its history stays: same id). */
export async function upsertConnectedAccount(db: Db, account: ConnectedAccountRow): Promise<void> {
  const now = nowIso();
  const { id: _id, ...rest } = account;
  await db
    .insertInto('connectedAccounts')
    .values({ ...account, createdAt: now, updatedAt: now })
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...rest, updatedAt: now }))
    .execute();
}

export async function deleteConnectedAccount(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('connectedAccounts').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Herald's registration on a Mastodon instance (client secret encrypted), or null. */
export async function findOAuthApp(
  db: Db,
  instanceUrl: string,
): Promise<{ clientId: string; clientSecret: string } | null> {
  const row = await db
    .selectFrom('oauthApps')
    .select(['clientId', 'clientSecret'])
    .where('instanceUrl', '=', instanceUrl)
    .executeTakeFirst();
  return row ?? null;
}

export async function saveOAuthApp(
  db: Db,
  app: { instanceUrl: string; clientId: string; clientSecret: string },
): Promise<void> {
  await db
    .insertInto('oauthApps')
    .values({ ...app, createdAt: nowIso() })
    .onConflict((oc) => oc.column('instanceUrl').doNothing())
    .execute();
}
