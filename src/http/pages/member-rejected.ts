import type { FastifyInstance } from 'fastify';
import { groupRejections, rejectedRowsCsv } from '../../domain/member-csv-rejected.js';
import { importContacts, type ImportReport } from '../../store/member-import.js';
import { needs } from '../route-access.js';
import type { WebDeps } from './deps.js';
import { one, type FormBody } from './item-form.js';

/** Same as the import form: pasted or read from a file by the page. */
const IMPORT_LIMIT = 10 * 1024 * 1024;

/** The report's rejected rows grouped by reason (each reason once, with its lines), and the CSV to download them. */
export function importReportView(deps: WebDeps, report: ImportReport, csv: string) {
  const groups = groupRejections(report.rejected).map((g) => ({
    field: deps.views.t(`members.field.${g.column === 'region_type' ? 'regionType' : g.column}`),
    message: g.message,
    lines: g.rows.map((r) => r.line).join(', '),
    rowsText: deps.views.t('members.report.rowCount', { count: g.rows.length }),
  }));
  return { groups, rejectedCsv: report.rejected.length > 0 ? csv : null };
}

/**
 * The rejected rows as a CSV to fix: the file's own columns plus `reason`. The file comes back in the form
 * (Herald keeps no copy of an import) and is checked again, without saving, to find the same rows.
 */
export function rejectedDownloadRoute(app: FastifyInstance, deps: WebDeps): void {
  app.post(
    '/members/import/rejected',
    { ...needs('members:write'), bodyLimit: IMPORT_LIMIT },
    async (request, reply) => {
      const csv = one((request.body ?? {}) as FormBody, 'csv');
      const report = await importContacts(deps.ctx.store, csv, { actor: request.actor, dryRun: true });
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="rejected-rows.csv"')
        .header('cache-control', 'no-store')
        .send(rejectedRowsCsv(csv, report.rejected));
    },
  );
}
