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
import { eraseContact, exportContact, findContactByRef } from '../app/contact-privacy.js';

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

  members
    .command('export-contact')
    .description('GDPR: everything held about one contact, as JSON (audited)')
    .argument('<contact>', 'contact id (ctc_...) or email address')
    .option('--out <file>', 'write to this file (mode 0600) instead of standard output')
    .action(async (ref: string, opts: { out?: string }) => {
      const data = await withStore(async (store) =>
        exportContact(store, (await findContactByRef(store, ref)).id, 'cli'),
      );
      const json = `${JSON.stringify(data, null, 2)}\n`;
      if (opts.out) await writeFile(opts.out, json, { mode: 0o600 });
      else process.stdout.write(json);
    });

  members
    .command('erase-contact')
    .description(
      'GDPR: erase one contact and its history; the address stays suppressed as a salted hash (audited, cannot be undone)',
    )
    .argument('<contact>', 'contact id (ctc_...) or email address')
    .requiredOption('--yes', 'confirm: erasure cannot be undone')
    .action(async (ref: string) => {
      const report = await withStore(async (store) =>
        eraseContact(store, (await findContactByRef(store, ref)).id, 'cli'),
      );
      console.log(
        `erased ${report.contactId}: ${report.recipients} recipient rows and ${report.feedbackEvents} feedback events made anonymous, ${report.auditEntries} history entries removed; the address stays on the suppression list`,
      );
    });
}
