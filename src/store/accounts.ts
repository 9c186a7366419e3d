import type { Kysely, Selectable } from 'kysely';
import type { AccountMode, AccountState, ChannelAccount, PlatformId } from '../domain/platform.js';
import type { ChannelAccountsTable, Database } from './schema.js';
import { nowIso } from './db.js';
import { HotStatement } from './prepared.js';

type Db = Kysely<Database>;

export interface StoredAccount extends ChannelAccount {
  lastCheckedAt: string | null;
}

function rowToAccount(row: Selectable<ChannelAccountsTable>): StoredAccount {
  return {
    id: row.id,
    platform: row.platform as PlatformId,
    name: row.name,
    mode: row.mode as AccountMode,
    state: row.state as AccountState,
    stateReason: row.stateReason,
    lastCheckedAt: row.lastCheckedAt,
  };
}

/** Makes the table match the configured accounts (configuration is the source of truth for which exist). */
export async function syncAccounts(
  db: Db,
  accounts: Array<Pick<ChannelAccount, 'id' | 'platform' | 'name' | 'mode'>>,
): Promise<void> {
  const now = nowIso();
  for (const a of accounts) {
    await db
      .insertInto('channelAccounts')
      .values({
        id: a.id,
        platform: a.platform,
        name: a.name,
        mode: a.mode,
        state: 'ok',
        stateReason: null,
        credentials: null,
        lastCheckedAt: null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ platform: a.platform, name: a.name, mode: a.mode, updatedAt: now }),
      )
      .execute();
  }
}

export async function listAccounts(db: Db): Promise<StoredAccount[]> {
  const rows = await db.selectFrom('channelAccounts').selectAll().orderBy('id').execute();
  return rows.map(rowToAccount);
}

const accountById = new HotStatement((db: Db, a: { id: string }) =>
  db.selectFrom('channelAccounts').selectAll().where('id', '=', a.id),
);

export async function findAccount(db: Db, id: string): Promise<StoredAccount | null> {
  const [row] = await accountById.rows(db, { id });
  return row ? rowToAccount(row) : null;
}

export async function setAccountState(
  db: Db,
  id: string,
  state: AccountState,
  reason: string | null,
): Promise<void> {
  const now = nowIso();
  await db
    .updateTable('channelAccounts')
    .set({ state, stateReason: reason, lastCheckedAt: now, updatedAt: now })
    .where('id', '=', id)
    .execute();
}

/** Encrypted credentials blob (see src/channels/secrets), or null. */
export async function loadAccountSecret(db: Db, id: string): Promise<string | null> {
  const row = await db
    .selectFrom('channelAccounts')
    .select('credentials')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.credentials ?? null;
}

export async function saveAccountSecret(db: Db, id: string, encrypted: string): Promise<void> {
  await db
    .updateTable('channelAccounts')
    .set({ credentials: encrypted, updatedAt: nowIso() })
    .where('id', '=', id)
    .execute();
}
