// Mail: the SMTP server answers, and the DNS records receivers judge the From domain by (DKIM, SPF, DMARC).
// DNS goes through node:dns, to the system's resolvers or to the one given with --dns.
import { createPublicKey } from 'node:crypto';
import type { Resolver } from 'node:dns/promises';
import type { HeraldConfig } from '../../config/schema.js';
import { parseFrom, readDkim } from '../../newsletter/settings.js';
import { createMailTransport } from '../../newsletter/transport.js';
import { fail, ok, skip, warn, type CheckResult } from './result.js';

const DRY_RUN = 'no SMTP_URL: newsletters are written as .eml files; checked once SMTP_URL is set';

/** Connects, says EHLO (and STARTTLS and AUTH when the URL asks for them), and leaves. */
export async function checkSmtp(config: HeraldConfig): Promise<CheckResult> {
  const url = config.newsletter.smtpUrl;
  if (!url) return skip('smtp', DRY_RUN);
  const transport = createMailTransport({
    smtpUrl: url,
    maxConnections: 1,
    timeouts: { connection: 10_000, greeting: 10_000, socket: 10_000 },
  });
  try {
    await transport.verify();
    return ok('smtp', `${transport.description} answers EHLO`);
  } catch (error) {
    return fail(
      'smtp',
      (error as Error).message,
      'check SMTP_URL (host, port, smtp:// or smtps://, user and password) and that this machine may connect to it',
    );
  } finally {
    transport.close();
  }
}

export async function checkDkim(config: HeraldConfig, dns: Resolver): Promise<CheckResult> {
  const dkimConfig = config.newsletter.dkim;
  if (!config.newsletter.smtpUrl) return skip('dkim', DRY_RUN);
  if (!dkimConfig)
    return warn(
      'dkim',
      'messages are not DKIM-signed: Gmail and Yahoo ask bulk senders for DKIM',
      'create a key pair, publish its public key at <selector>._domainkey.<domain> and set HERALD_DKIM_DOMAIN, HERALD_DKIM_SELECTOR and HERALD_DKIM_KEY_FILE (docs/newsletters.md)',
    );
  const dkim = readDkim(dkimConfig);
  const expected = createPublicKey(dkim.privateKey)
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
  const name = `${dkim.keySelector}._domainkey.${dkim.domainName}`;
  const publish = `publish the TXT record ${name} = "v=DKIM1; k=rsa; p=${expected}"`;
  const records = (await txtRecords(dns, name)).filter((r) => /(^|;)\s*p=/.test(r));
  if (records.length === 0)
    return fail('dkim', `no DKIM record at ${name}: receivers cannot verify the signature`, publish);
  const published = records.map((r) => tags(r).p ?? '');
  if (published.includes(expected))
    return ok('dkim', `the key in ${dkimConfig.keyFile} matches the record at ${name}`);
  if (published.every((p) => p === ''))
    return fail('dkim', `the record at ${name} revokes the key (empty p=)`, publish);
  return fail(
    'dkim',
    `the record at ${name} holds another key than ${dkimConfig.keyFile}: every signature fails`,
    publish,
  );
}

export async function checkSpf(config: HeraldConfig, dns: Resolver): Promise<CheckResult> {
  if (!config.newsletter.smtpUrl) return skip('spf', DRY_RUN);
  const domain = fromDomain(config);
  const records = (await txtRecords(dns, domain)).filter((r) => /^v=spf1(\s|$)/i.test(r));
  const fix = `publish one TXT record at ${domain} such as "v=spf1 include:<your mail provider> ~all" (your provider says which)`;
  if (records.length === 0)
    return fail(
      'spf',
      `${domain} has no SPF record: receivers cannot tell which servers may send its mail`,
      fix,
    );
  if (records.length > 1)
    return fail(
      'spf',
      `${domain} has ${records.length} SPF records: receivers treat that as a permanent error`,
      `merge them into one record; ${fix}`,
    );
  if (/\s\+all\b/i.test(records[0]!))
    return warn(
      'spf',
      `${domain}: "${records[0]}" lets any server send as ${domain}`,
      'end the record with ~all or -all',
    );
  return ok('spf', `${domain}: ${records[0]}`);
}

export async function checkDmarc(config: HeraldConfig, dns: Resolver): Promise<CheckResult> {
  if (!config.newsletter.smtpUrl) return skip('dmarc', DRY_RUN);
  const domain = fromDomain(config);
  const fix = `publish a TXT record at _dmarc.${domain} such as "v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain}" (Gmail and Yahoo require one from bulk senders)`;
  // Receivers fall back to the organisation's domain when the From domain has no record of its own.
  for (const candidate of [domain, organisationalDomain(domain)]) {
    const record = (await txtRecords(dns, `_dmarc.${candidate}`)).find((r) => /^v=DMARC1(\s*;|$)/i.test(r));
    if (!record) continue;
    const where = candidate === domain ? '' : ` (at the organisation's domain ${candidate})`;
    const policy = tags(record).p;
    if (!policy) return fail('dmarc', `_dmarc.${candidate} has no policy (p=)`, fix);
    return ok('dmarc', `${domain}: policy ${policy}${where}`);
  }
  return fail('dmarc', `${domain} has no DMARC record`, fix);
}

/** TXT records (each one's strings joined); none when the name does not exist or has no TXT record. */
async function txtRecords(dns: Resolver, name: string): Promise<string[]> {
  try {
    return (await dns.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
    throw new Error(`DNS look-up of ${name} failed (${code ?? (error as Error).message})`);
  }
}

function tags(record: string): Record<string, string> {
  return Object.fromEntries(
    record
      .split(';')
      .map((part) => part.trim().split('='))
      .filter((kv) => kv.length >= 2)
      .map(([k, ...v]) => [k!.trim().toLowerCase(), v.join('=').replace(/\s+/g, '')]),
  );
}

function fromDomain(config: HeraldConfig): string {
  return parseFrom(config.newsletter.from).address.split('@')[1]!.toLowerCase();
}

/** The last two labels: a stand-in for the public-suffix rule that is right for the usual domains. */
function organisationalDomain(domain: string): string {
  return domain.split('.').slice(-2).join('.');
}
