import { listAccounts } from '../store/accounts.js';
import { countItemsByStatus } from '../store/items.js';
import { countContactsByStatus } from '../store/members.js';
import { countActiveAdmins } from '../store/users.js';
import type { Context } from './context.js';

/** One thing a fresh installation still lacks; `done` once Herald's own records show it is set up. */
export interface SetupStep {
  id: 'channels' | 'members' | 'postalAddress' | 'secondAdmin' | 'firstItem';
  done: boolean;
}

export interface SetupChecklist {
  steps: SetupStep[];
  doneCount: number;
  /** Every step done: the dashboard stops showing the checklist. */
  complete: boolean;
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** The "Getting started" checklist of a new installation, read from the records (nothing is stored for it). */
export async function setupChecklist(ctx: Pick<Context, 'store' | 'config'>): Promise<SetupChecklist> {
  const db = ctx.store.db;
  const [accounts, contacts, admins, items] = await Promise.all([
    listAccounts(db),
    countContactsByStatus(db),
    countActiveAdmins(db),
    countItemsByStatus(db),
  ]);
  const steps: SetupStep[] = [
    { id: 'channels', done: accounts.length > 0 && accounts.every((a) => a.mode === 'live') },
    { id: 'members', done: sum(contacts) > 0 },
    { id: 'postalAddress', done: Boolean(ctx.config.newsletter.branding.postalAddress) },
    { id: 'secondAdmin', done: admins >= 2 },
    { id: 'firstItem', done: sum(items) > 0 },
  ];
  const doneCount = steps.filter((s) => s.done).length;
  return { steps, doneCount, complete: doneCount === steps.length };
}
