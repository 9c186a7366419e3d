// Baseline (a) of the newsletter benchmark: nodemailer alone sending the same messages, rendered
// beforehand (outside the timing), to the same sink with the same pool; no new chunk is started once
// <maxSeconds> of sending have passed (a large backlog is measured over that window).
// Prints {sent, seconds, cpuMs, rssPeakMb}.
// Usage (from bench/newsletter.ts): tsx bench/newsletter-baseline.ts <port> <count> <poolSize> [maxSeconds]
import nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer';
import { compileNewsletter, renderFor } from '../src/newsletter/render.js';
import { buildNewsletterMessage } from '../src/newsletter/message.js';
import { contactLinks } from '../src/newsletter/unsubscribe-token.js';
import { BENCH_BRANDING, benchItem } from './newsletter-fixtures.js';

const [port, count, pool, maxSeconds = Infinity] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number?,
];
const KEY = 'bench-token-key-0123456789abcdef0123456789';
const CHUNK = 2_000;

const compiled = {
  en: await compileNewsletter({
    kind: 'announcement',
    items: [benchItem],
    language: 'en',
    branding: BENCH_BRANDING,
  }),
  fr: await compileNewsletter({
    kind: 'announcement',
    items: [benchItem],
    language: 'fr',
    branding: BENCH_BRANDING,
  }),
};

function message(i: number): SendMailOptions {
  const contactId = `ctc_${String(i).padStart(32, '0')}`;
  const email = `contact${i}@city${i % 97}.example.eu`;
  const links = contactLinks({
    baseUrl: 'https://herald.example.org',
    key: KEY,
    contactId,
    newsletterId: 'nl_bench',
  });
  const content = renderFor(i % 2 ? compiled.fr : compiled.en, {
    name: `Contact ${i}`,
    email,
    authorityName: `City ${Math.floor(i / 5)}`,
    ...links,
  });
  return buildNewsletterMessage({
    newsletterId: 'nl_bench',
    contactId,
    from: { name: 'Alliance', address: 'news@alliance.example' },
    to: { name: `Contact ${i}`, address: email },
    content,
    unsubscribeUrl: links.unsubscribeUrl,
    list: { id: 'newsletter.alliance.example', name: 'Alliance newsletter' },
    messageIdHost: 'alliance.example',
  });
}

const transport = nodemailer.createTransport({
  host: '127.0.0.1',
  port,
  secure: false,
  ignoreTLS: true,
  pool: true,
  maxConnections: pool,
  maxMessages: 100,
  disableFileAccess: true,
  disableUrlAccess: true,
  logger: false,
});
let seconds = 0;
let cpuMs = 0;
let sent = 0;
for (let start = 0; start < count && seconds < maxSeconds; start += CHUNK) {
  const batch = Array.from({ length: Math.min(CHUNK, count - start) }, (_, k) => message(start + k));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(batch.map((m) => transport.sendMail(m)));
  seconds += (performance.now() - t0) / 1000;
  sent += batch.length;
  const cpu = process.cpuUsage(cpu0);
  cpuMs += (cpu.user + cpu.system) / 1000;
}
transport.close();
console.log(JSON.stringify({ sent, seconds, cpuMs, rssPeakMb: process.resourceUsage().maxRSS / 1024 }));
