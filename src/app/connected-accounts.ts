import type { Kysely } from 'kysely';
import type { AccountConfig } from '../domain/platform.js';
import { decryptSecret } from '../channels/secrets.js';
import type { ChannelRegistry } from '../channels/registry.js';
import { listConnectedAccounts } from '../store/connected-accounts.js';
import { syncAccounts } from '../store/accounts.js';
import type { Database } from '../store/schema.js';

/** The accounts connected from the Channels page, as account settings with their credentials decrypted. */
async function connectedAccountConfigs(db: Kysely<Database>, key: Buffer): Promise<AccountConfig[]> {
  return (await listConnectedAccounts(db)).map((row) => ({
    id: row.id,
    platform: row.platform,
    name: row.name,
    ...(row.apiUrl ? { apiUrl: row.apiUrl } : {}),
    credentials: {
      ...(JSON.parse(decryptSecret(row.credentials, key)) as Record<string, string>),
      ...(row.tokenExpiresAt ? { tokenExpiresAt: row.tokenExpiresAt } : {}),
    },
  }));
}

/**
 * Keeps a process's registry in step with the connected accounts (another process may have connected one);
 * reads the table at most once per `everyMs` unless forced.
 */
export function connectedAccountsRefresher(
  db: Kysely<Database>,
  key: Buffer,
  channels: ChannelRegistry,
  everyMs = 5_000,
): (force?: boolean) => Promise<void> {
  let last = 0;
  let running: Promise<void> | null = null;
  const refresh = async () => {
    channels.replaceConnected(await connectedAccountConfigs(db, key));
    await syncAccounts(
      db,
      channels.accounts().filter((a) => channels.isConnected(a.id)),
    );
  };
  return async (force = false) => {
    if (!force && Date.now() - last < everyMs) return;
    running ??= refresh().finally(() => {
      running = null;
    });
    last = Date.now();
    await running;
  };
}
