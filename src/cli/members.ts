// `herald members import|export|list`: member authorities and their contacts. Only the database is
// needed (no Redis).
import { readFile, writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { CONTACT_STATUSES, type ContactStatus } from '../domain/member.js';
import { exportContactsCsv } from '../domain/member-csv.js';
import { withStore } from './with-context.js';
import { recordAudit } from '../store/audit.js';
import { importContacts, type ImportReport } from '../store/member-import.js';
import { listAllAuthorities, listAllContacts, listContacts } from '../store/members.js';

export function printImportReport(report: ImportReport, out: (line: string) => void = console.log): void {
  const verb = report.applied ? '' : ' (nothing written)';
  out(
    `${report.rows} rows: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.rejected.length} rejected; ${report.authoritiesCreated} member authorities created${verb}`,
  );
  for (const r of report.rejected) out(`  line ${r.line}${r.email ? ` (${r.email})` : ''}: ${r.reason}`);
  for (const n of report.notes) out(`  note, line ${n.line}: ${n.message}`);
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
}

export function registerMemberCommands(program: Command): void {
  const members = program.command('members').description('member authorities and their contacts');

  members
    .command('import')
    .description(
      'create or update contacts from a CSV file (authority,country,name,email,language[,region_type,announcements,digest]); exit code 1 when rows were rejected',
    )
    .argument('<file>', 'CSV file (UTF-8; comma or semicolon)')
    .option('--dry-run', 'report what would change, write nothing')
    .option('--strict', 'write nothing when any row is rejected')
    .action(async (file: string, opts: { dryRun?: boolean; strict?: boolean }) => {
      const text = await readFile(file);
      const report = await withStore((store) =>
        importContacts(store, text, { actor: 'cli', dryRun: opts.dryRun, strict: opts.strict }),
      );
      printImportReport(report);
      if (report.rejected.length > 0) process.exitCode = 1;
    });

  members
    .command('export')
    .description('every contact with its authority, as CSV (importable as is)')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (opts: { out?: string }) => {
      const csv = await withStore(async (store) => {
        const [authorities, contacts] = await Promise.all([
          listAllAuthorities(store.db),
          listAllContacts(store.db),
        ]);
        await recordAudit(store.db, {
          actor: 'cli',
          action: 'contacts_exported',
          subjectType: 'contacts',
          subjectId: 'export',
          details: { contacts: contacts.length },
        });
        return exportContactsCsv(authorities, contacts, { bom: Boolean(opts.out) });
      });
      if (opts.out) await writeFile(opts.out, csv, { mode: 0o600 });
      else process.stdout.write(csv);
    });

  members
    .command('list')
    .description('contacts, by country and authority')
    .option('--search <text>', 'in names, emails and authorities')
    .option('--status <status>', `only ${CONTACT_STATUSES.join('|')}`)
    .option('--limit <n>', 'how many', positive, 100)
    .action(async (opts: { search?: string; status?: string; limit: number }) => {
      if (opts.status && !CONTACT_STATUSES.includes(opts.status as ContactStatus))
        throw new InvalidArgumentError(`--status must be one of ${CONTACT_STATUSES.join(', ')}`);
      const { contacts, total } = await withStore((store) =>
        listContacts(store.db, {
          q: opts.search,
          status: opts.status as ContactStatus | undefined,
          limit: opts.limit,
          offset: 0,
        }),
      );
      for (const c of contacts) {
        const subs =
          [c.subscriptions.announcements ? 'announcements' : '', c.subscriptions.digest ? 'digest' : '']
            .filter(Boolean)
            .join('+') || 'none';
        console.log(
          `${c.country}  ${c.authorityName.padEnd(24).slice(0, 24)}  ${c.email.padEnd(36)}  ${c.language.padEnd(5)}  ${c.status.padEnd(12)}  ${subs}  ${c.name}`,
        );
      }
      console.log(`${contacts.length} of ${total}`);
    });
}
