// Applies a contact import plan (src/domain/member-csv.ts) inside one transaction: create or update by
// email; authorities are found by name and country, or created.
import type { Kysely } from 'kysely';
import type {
  ContactImportPlan,
  ImportedAuthority,
  ImportedContact,
  ImportNote,
  RejectedRow,
} from '../domain/member-csv.js';
import { suppressionExplanation } from '../domain/mail-feedback.js';
import { planContactImport } from '../domain/member-csv.js';
import { DEFAULT_SUBSCRIPTIONS } from '../domain/member.js';
import type { Database } from './schema.js';
import type { Store } from './db.js';
import { nowIso } from './db.js';
import { recordAudit } from './audit.js';
import { newId } from './ids.js';
import { addressHash, findSuppressions, suppressionSalt } from './mail-feedback.js';
import { insertAuthorityRow } from './members.js';

type Db = Kysely<Database>;

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  authoritiesCreated: number;
  authoritiesUpdated: number;
}

const CHUNK = 500;

function chunks<T>(list: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** Authority ids by plan key, creating the ones that do not exist yet. */
async function applyAuthorities(
  trx: Db,
  planned: ImportedAuthority[],
  counts: ImportCounts,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const now = nowIso();
  for (const group of chunks(planned)) {
    const existing = await trx
      .selectFrom('authorities')
      .selectAll()
      .where(
        'nameKey',
        'in',
        group.map((a) => a.key),
      )
      .execute();
    const byKey = new Map(existing.map((row) => [row.nameKey, row]));
    for (const a of group) {
      const row = byKey.get(a.key);
      if (!row) {
        const { name, country } = a;
        const authority = { name, nameKey: a.key, country, regionType: a.regionType ?? 'city' };
        const id = await insertAuthorityRow(trx, authority, now);
        counts.authoritiesCreated++;
        ids.set(a.key, id);
        continue;
      }
      if (a.regionType && a.regionType !== row.regionType) {
        await trx
          .updateTable('authorities')
          .set({ regionType: a.regionType, updatedAt: now })
          .where('id', '=', row.id)
          .execute();
        counts.authoritiesUpdated++;
      }
      ids.set(a.key, row.id);
    }
  }
  return ids;
}

/** What suppression says about an import's rows: new addresses refused, existing ones that stay suppressed. */
interface SuppressionFindings {
  refused: RejectedRow[];
  notes: ImportNote[];
}

/**
 * New contacts whose address is on the suppression list (a complaint, a bounce, an erasure) are refused,
 * and the report says why: a re-import never brings a suppressed address back silently.
 */
async function refuseSuppressed(
  trx: Db,
  fresh: ImportedContact[],
  findings: SuppressionFindings,
): Promise<ImportedContact[]> {
  if (fresh.length === 0) return fresh;
  const salt = await suppressionSalt(trx);
  const hashes = new Map(fresh.map((c) => [c, addressHash(salt, c.email)]));
  const suppressed = await findSuppressions(trx, [...hashes.values()]);
  return fresh.filter((c) => {
    const entry = suppressed.get(hashes.get(c)!);
    if (!entry) return true;
    const reason = `suppressed: ${suppressionExplanation(entry.reason)}`;
    findings.refused.push({
      line: c.line,
      email: c.email,
      reason,
      problems: [{ column: 'email', message: reason }],
    });
    return false;
  });
}

export async function applyContactImport(
  trx: Db,
  plan: ContactImportPlan,
  findings: SuppressionFindings = { refused: [], notes: [] },
): Promise<ImportCounts> {
  const counts: ImportCounts = {
    created: 0,
    updated: 0,
    unchanged: 0,
    authoritiesCreated: 0,
    authoritiesUpdated: 0,
  };
  const authorityIds = await applyAuthorities(trx, plan.authorities, counts);
  const now = nowIso();
  for (const group of chunks(plan.contacts)) {
    const existing = await trx
      .selectFrom('contacts')
      .selectAll()
      .where(
        'emailKey',
        'in',
        group.map((c) => c.emailKey),
      )
      .execute();
    const byKey = new Map(existing.map((row) => [row.emailKey, row]));
    let fresh: ImportedContact[] = [];
    for (const c of group) {
      const row = byKey.get(c.emailKey);
      if (!row) {
        fresh.push(c);
        continue;
      }
      if (row.status === 'bounced' || row.status === 'complained') {
        findings.notes.push({
          line: c.line,
          message: `${c.email} stays ${row.status}: an import does not change a contact's status${row.statusReason ? ` (${row.statusReason})` : ''}`,
        });
      }
      const next = {
        authorityId: authorityIds.get(c.authorityKey)!,
        name: c.name || row.name,
        email: c.email,
        language: c.language,
        announcements:
          c.subscriptions.announcements === undefined
            ? row.announcements
            : c.subscriptions.announcements
              ? 1
              : 0,
        digest: c.subscriptions.digest === undefined ? row.digest : c.subscriptions.digest ? 1 : 0,
      };
      const same = (Object.keys(next) as Array<keyof typeof next>).every((k) => next[k] === row[k]);
      if (same) {
        counts.unchanged++;
        continue;
      }
      await trx
        .updateTable('contacts')
        .set({ ...next, updatedAt: now })
        .where('id', '=', row.id)
        .execute();
      counts.updated++;
    }
    fresh = await refuseSuppressed(trx, fresh, findings);
    if (fresh.length > 0) {
      await trx
        .insertInto('contacts')
        .values(
          fresh.map((c) => ({
            id: newId('ctc'),
            authorityId: authorityIds.get(c.authorityKey)!,
            name: c.name,
            email: c.email,
            emailKey: c.emailKey,
            language: c.language,
            status: 'active',
            statusReason: null,
            statusChangedAt: null,
            announcements: (c.subscriptions.announcements ?? DEFAULT_SUBSCRIPTIONS.announcements) ? 1 : 0,
            digest: (c.subscriptions.digest ?? DEFAULT_SUBSCRIPTIONS.digest) ? 1 : 0,
            createdAt: now,
            updatedAt: now,
          })),
        )
        .execute();
      counts.created += fresh.length;
    }
  }
  return counts;
}

export interface ImportReport extends ImportCounts {
  rows: number;
  rejected: ContactImportPlan['rejected'];
  notes: ContactImportPlan['notes'];
  /** Nothing was written: a dry run, or `strict` with rejected rows. */
  applied: boolean;
}

/**
 * Parses and applies an import in one transaction: every valid row is written or none is. With
 * `strict`, one rejected row rejects the whole file; with `dryRun`, nothing is written.
 */
export async function importContacts(
  store: Store,
  input: string | Buffer,
  opts: { actor: string; dryRun?: boolean; strict?: boolean },
): Promise<ImportReport> {
  const plan = planContactImport(input);
  const skip = opts.dryRun || (opts.strict && plan.rejected.length > 0);
  const findings: SuppressionFindings = { refused: [], notes: [] };
  const counts = await store
    .transaction(async (trx) => {
      const applied = await applyContactImport(trx, plan, findings);
      if (skip) throw new RollBack(applied);
      await recordAudit(trx, {
        actor: opts.actor,
        action: 'contacts_imported',
        subjectType: 'contacts',
        subjectId: 'import',
        details: { ...applied, rejected: plan.rejected.length, suppressed: findings.refused.length },
      });
      return applied;
    })
    .catch((error: unknown) => {
      if (error instanceof RollBack) return error.counts;
      throw error;
    });
  const byLine = <T extends { line: number }>(list: T[]) => list.sort((a, b) => a.line - b.line);
  const rejected = byLine([...plan.rejected, ...findings.refused]);
  return {
    rows: plan.rows,
    rejected,
    notes: byLine([...plan.notes, ...findings.notes]),
    ...counts,
    applied: !skip,
  };
}

/** Ends a dry run's transaction after computing what it would do. */
class RollBack extends Error {
  constructor(readonly counts: ImportCounts) {
    super('dry run');
  }
}
