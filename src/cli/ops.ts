// Operating Herald from the command line: backup, restore, doctor. The work is in src/ops/ (loaded when the
// command runs: other commands and the long-running processes do not pay for tar or the DNS checks); this
// file only registers the commands and prints.
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { openStore } from '../store/db.js';
import type { RestoreReport } from '../ops/backup/restore.js';

export function registerOpsCommands(program: Command): void {
  program
    .command('backup')
    .description(
      'write a consistent copy of the running installation (database, feeds, media, generated secrets) to a .tar.gz file',
    )
    .argument('<file>', 'the archive to write, e.g. herald-2026-12-03.tar.gz')
    .option('--force', 'replace the file if it exists')
    .action(async (file: string, opts: { force?: boolean }) => {
      const config = loadConfig();
      const store = openStore(config.databaseUrl, config.dataDir);
      try {
        const { createBackup } = await import('../ops/backup/backup.js');
        const report = await createBackup({ config, store }, file, { overwrite: opts.force ?? false });
        const rows = report.manifest.database.rows;
        console.log(`wrote ${report.file}: ${summary(rows)}; ${report.manifest.files.length} files`);
        for (const note of report.notes) console.warn(`warning: ${note}`);
      } finally {
        await store.close();
      }
    });
  program
    .command('restore')
    .description(
      'restore a backup into a fresh data dir (HERALD_DATA_DIR) and empty database; never overwrites',
    )
    .argument('<file>', 'an archive written by herald backup')
    .action(async (file: string) => {
      const { restoreBackup } = await import('../ops/backup/restore.js');
      printRestore(await restoreBackup(loadConfig(), file));
    });
  program
    .command('doctor')
    .description(
      'check the configuration, Redis, the database, the data dir, the clock, channel tokens, SMTP and the mail DNS records',
    )
    .option('--json', 'machine-readable output')
    .option(
      '--dns <servers>',
      "DNS servers to ask, comma-separated (e.g. 1.1.1.1 or 127.0.0.1:5353); default: the system's",
    )
    .action(async (opts: { json?: boolean; dns?: string }) => {
      const { formatDoctor, runDoctor } = await import('../ops/doctor/doctor.js');
      const results = await runDoctor({
        dnsServers: opts.dns
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      });
      console.log(
        opts.json
          ? JSON.stringify({ ok: !results.some((r) => r.status === 'error'), checks: results }, null, 2)
          : formatDoctor(results),
      );
      if (results.some((r) => r.status === 'error')) process.exitCode = 1;
    });
}

function printRestore(report: RestoreReport): void {
  console.log(`restored the backup of ${report.manifest.createdAt} (Herald ${report.manifest.herald})`);
  console.log(`  data dir: ${report.dataDir}`);
  console.log(
    `  database: ${report.database}${Object.keys(report.rows).length ? `: ${summary(report.rows)}` : ''}`,
  );
  const after = report.after;
  if (after?.uncertainDeliveries)
    console.log(
      `  ${after.uncertainDeliveries} open social post(s) will first look for themselves on their account, in case they went out after the backup`,
    );
  for (const id of after?.pausedNewsletters ?? []) {
    console.log(
      `  newsletter ${id} was being sent and is now paused: messages sent after the backup are not known. Check the mail server's log, then \`herald newsletter resume ${id}\``,
    );
  }
  if (after?.heldMessages)
    console.log(
      `  ${after.heldMessages} newsletter message(s) were being transmitted at the moment of the backup: held as unknown ("resend unknown" sends them again)`,
    );
  for (const note of report.notes) console.warn(`warning: ${note}`);
  console.log(
    'next: start Herald (herald start, or the API and workers); the reconciler re-adds the jobs Redis does not have',
  );
}

const SUMMARY_TABLES: Array<[string, string]> = [
  ['items', 'items'],
  ['deliveries', 'deliveries'],
  ['contacts', 'contacts'],
  ['newsletter_recipients', 'newsletter recipients'],
];

function summary(rows: Record<string, number>): string {
  return SUMMARY_TABLES.map(([table, words]) => `${rows[table] ?? 0} ${words}`).join(', ');
}
