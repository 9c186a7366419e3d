import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { nowIso } from './db.js';
import { parseJson, toJson } from './json.js';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details: Record<string, unknown>;
}

export async function recordAudit(
  db: Kysely<Database>,
  entry: {
    actor: string;
    action: string;
    subjectType: string;
    subjectId: string;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  await db
    .insertInto('auditLog')
    .values({
      at: nowIso(),
      actor: entry.actor,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      details: toJson(entry.details ?? {}),
    })
    .execute();
}

export async function listAudit(
  db: Kysely<Database>,
  subjectType: string,
  subjectId: string,
): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom('auditLog')
    .selectAll()
    .where('subjectType', '=', subjectType)
    .where('subjectId', '=', subjectId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), details: parseJson(r.details, {}) }));
}
