// Bounce mailbox benchmark (issue 17): N delivery status reports (Postfix hard bounces, each sent to its
// recipient's VERP address) wait in a private Dovecot; reports processed per second by one
// BounceMailbox run (IMAP fetch, mailparser, reading the report, applying it to the contact in SQL,
// moving the messages to the processed folder). Against, in the same run: mailparser alone parsing the
// same messages, already in memory, with the same options.
// Usage: npx tsx bench/bounces.ts [--size 10k]   (needs /usr/sbin/dovecot: apt-get install dovecot-imapd;
//        BENCH_DATABASE_URL=postgres://... for PostgreSQL, SQLite otherwise)
import { rmSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { migrateToLatest } from '../src/store/migrate.js';
import { openStore } from '../src/store/db.js';
import { createLogger } from '../src/log.js';
import { importContacts } from '../src/store/member-import.js';
import { countContactsByStatus, eligibleContacts } from '../src/store/members.js';
import { insertNewsletter, insertRecipients } from '../src/store/newsletters.js';
import { BounceMailbox } from '../src/newsletter/bounce-mailbox.js';
import { verpAddress, verpToken } from '../src/newsletter/verp.js';
import { DEFAULT_SUPPRESSION_POLICY } from '../src/domain/mail-feedback.js';
import { dovecotSkipReason, startDovecot } from '../tests/helpers/dovecot.js';
import { postfixHard } from '../tests/helpers/bounce-messages.js';
import { fmt, printTable, sizeLabel, sizedArgs, tempDir } from './lib.js';
import { emit } from './summary.js';

const BOUNCES = 'bounces@alliance.example';
const KEY = 'bench-bounce-key-0123456789abcdef0123456789';

async function main() {
  if (dovecotSkipReason) throw new Error(`bench: ${dovecotSkipReason}`);
  const { size } = sizedArgs(10_000);
  const dataDir = tempDir('bounces');
  const store = openStore(process.env.BENCH_DATABASE_URL ?? `sqlite:${dataDir}/herald.db`, dataDir);
  const dovecot = await startDovecot();
  try {
    await migrateToLatest(store);
    const csv = ['authority,country,name,email,language'];
    for (let i = 0; i < size; i++)
      csv.push(`City ${i % 50},FR,Contact ${i},contact${i}@city${i % 50}.example,fr`);
    await importContacts(store, csv.join('\n'), { actor: 'bench' });
    const { newsletter } = await insertNewsletter(store.db, {
      kind: 'announcement',
      itemIds: [],
      source: 'staff',
      createdBy: 'bench',
    });
    await insertRecipients(store.db, newsletter.id, await eligibleContacts(store.db, 'announcement'));
    const recipients = await store.db
      .selectFrom('newsletterRecipients')
      .select(['id', 'email'])
      .where('newsletterId', '=', newsletter.id)
      .execute();
    const messages = recipients.map((r, i) =>
      Buffer.from(
        postfixHard({
          returnPath: verpAddress(BOUNCES, verpToken(r.id, KEY)),
          messageId: `<bench.${i}@alliance.example>`,
          feedbackId: `${newsletter.id}:announcement:newsletter.alliance.example:herald`,
          to: r.email,
        }),
      ),
    );
    const appendStart = performance.now();
    const imap = await dovecot.imap();
    for (const m of messages) await imap.append('INBOX', m);
    console.log(
      `${fmt(messages.length)} reports appended in ${fmt((performance.now() - appendStart) / 1000, 1)} s (${store.describe()})`,
    );

    // Baseline first, so that both read a warm page cache: mailparser alone, same messages, same options.
    const parseStart = performance.now();
    for (const m of messages)
      await simpleParser(m, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
    const parseSeconds = (performance.now() - parseStart) / 1000;

    const mailbox = new BounceMailbox(dovecot.url(), {
      store,
      log: createLogger('warn'),
      policy: DEFAULT_SUPPRESSION_POLICY,
      read: { bounceAddress: BOUNCES, tokenKeys: [KEY] },
    });
    const runStart = performance.now();
    const run = await mailbox.run();
    const runSeconds = (performance.now() - runStart) / 1000;
    const statuses = await countContactsByStatus(store.db);
    if (run.applied !== size || statuses.bounced !== size)
      throw new Error(
        `bench: expected ${size} applied and bounced, got ${JSON.stringify({ run, statuses })}`,
      );

    const rate = size / runSeconds;
    const parseRate = size / parseSeconds;
    printTable(`Bounce mailbox, ${sizeLabel(size)} DSNs`, [
      {
        what: 'bounce mailbox run (fetch, parse, apply, move)',
        seconds: fmt(runSeconds, 2),
        'reports/s': fmt(rate),
      },
      { what: 'baseline: mailparser alone', seconds: fmt(parseSeconds, 2), 'reports/s': fmt(parseRate) },
    ]);
    emit({
      bench: 'bounces',
      size,
      figure: 'reports processed/s',
      value: rate,
      unit: 'reports/s',
      baseline: 'mailparser alone, same messages',
      baselineValue: parseRate,
      better: 'higher',
      primary: true,
    });
  } finally {
    await dovecot.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
