// Where messages go: a pooled SMTP connection (SMTP_URL) or, without one, .eml files in a directory so
// a fresh install can send and inspect a newsletter.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type Nodemailer from 'nodemailer';
import type { SendMailOptions, SMTPPoolOptions, Transporter } from 'nodemailer';
import type { SmtpErrorClass } from './smtp-errors.js';
import { classifySmtpError, redactSecrets, redactUrl } from './smtp-errors.js';
import type { TransmitHook } from './transmit-hook.js';
import { TRANSMIT_HOOK, transmitHookPlugin } from './transmit-hook.js';
import { HeraldError } from '../domain/errors.js';
import { lazyRequire } from '../lazy-module.js';

/** nodemailer when a transport is first made (a worker sending mail), not at start. */
const nodemailer = lazyRequire<typeof Nodemailer>('nodemailer');

export interface MailTransportOptions {
  /** `smtp://user:pass@host:587` (STARTTLS when offered), `smtps://...:465`; query: requireTLS, ignoreTLS, rejectUnauthorized=false. */
  smtpUrl?: string | null | undefined;
  /** Where .eml files go when there is no SMTP URL. */
  emlDir?: string | undefined;
  /** Simultaneous SMTP connections (default 5). */
  maxConnections?: number | undefined;
  /** Messages per connection before it is renewed (default 100). */
  maxMessages?: number | undefined;
  /** Messages per second through this transport (default: unlimited); BullMQ's limiter caps the total. */
  rateLimit?: number | undefined;
  /** Milliseconds; defaults 30 s to connect, 30 s for the greeting, 60 s of socket inactivity. */
  timeouts?: { connection?: number; greeting?: number; socket?: number } | undefined;
  /** EHLO name (default: the machine's host name). */
  clientName?: string | undefined;
}

export interface SendReceipt {
  messageId: string;
  /** The server's final reply (`250 ...`), or `saved <file>`. */
  response: string;
  accepted: string[];
  rejected: string[];
  /** The .eml file written (eml transport only). */
  file?: string;
}

export interface SendHooks {
  /**
   * Runs (and is awaited) right before the message's bytes go out: until then the server cannot have
   * accepted it. A rejection fails the send with nothing transmitted.
   */
  onTransmit?: TransmitHook | undefined;
}

export interface MailTransport {
  readonly kind: 'smtp' | 'eml';
  /** Safe to log: credentials replaced by `***`. */
  readonly description: string;
  /** Sending the same Message-ID twice leaves one copy (the .eml directory overwrites its file). */
  readonly idempotent: boolean;
  /** Resolves once the server accepted the message; rejects with MailSendError. */
  send(message: SendMailOptions, hooks?: SendHooks): Promise<SendReceipt>;
  /** Checks that the server answers and accepts the credentials (or that the directory is writable). */
  verify(): Promise<void>;
  close(): void;
}

/** A failed send, classified, with any secret stripped from its text. */
export class MailSendError extends HeraldError {
  constructor(
    message: string,
    readonly classification: SmtpErrorClass,
  ) {
    super(message, { code: 'mail_send_failed', httpStatus: 502 });
  }
}

export function createMailTransport(options: MailTransportOptions): MailTransport {
  if (options.smtpUrl) return createSmtpTransport(options.smtpUrl, options);
  if (options.emlDir) return createEmlTransport(options.emlDir);
  throw new Error('createMailTransport needs an SMTP URL or a directory for .eml files');
}

// --- SMTP ----------------------------------------------------------------------------------------

interface SmtpEndpoint {
  options: SMTPPoolOptions;
  secrets: string[];
}

function parseSmtpUrl(url: string): SmtpEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`SMTP_URL is not a valid URL: ${redactUrl(url)}`);
  }
  const secure = parsed.protocol === 'smtps:';
  if (!secure && parsed.protocol !== 'smtp:')
    throw new Error(`SMTP_URL must start with smtp:// or smtps:// (${redactUrl(url)})`);
  if (!parsed.hostname) throw new Error(`SMTP_URL has no host (${redactUrl(url)})`);
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  const options: SMTPPoolOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    ...(user ? { auth: { user, pass } } : {}),
  };
  for (const [key, value] of parsed.searchParams) {
    if (key === 'requireTLS') options.requireTLS = value !== 'false';
    else if (key === 'ignoreTLS') options.ignoreTLS = value !== 'false';
    else if (key === 'rejectUnauthorized') options.tls = { rejectUnauthorized: value !== 'false' };
    else throw new Error(`SMTP_URL parameter "${key}" is not supported (${redactUrl(url)})`);
  }
  return { options, secrets: [pass, parsed.password].filter(Boolean) };
}

function addresses(list: unknown): string[] {
  return (Array.isArray(list) ? list : []).map((a: unknown) =>
    typeof a === 'string' ? a : String((a as { address?: unknown }).address ?? ''),
  );
}

function createSmtpTransport(url: string, options: MailTransportOptions): MailTransport {
  const { options: endpoint, secrets } = parseSmtpUrl(url);
  const description = redactUrl(url);
  // Made on first use, so that a worker that sends nothing never loads nodemailer.
  let made: Transporter | undefined;
  const transporter = (): Transporter => (made ??= smtpTransporter());
  const smtpTransporter = (): Transporter => {
    const created = nodemailer().createTransport({
      ...endpoint,
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      maxMessages: options.maxMessages ?? 100,
      ...(options.rateLimit ? { rateLimit: options.rateLimit, rateDelta: 1000 } : {}),
      connectionTimeout: options.timeouts?.connection ?? 30_000,
      greetingTimeout: options.timeouts?.greeting ?? 30_000,
      socketTimeout: options.timeouts?.socket ?? 60_000,
      ...(options.clientName ? { name: options.clientName } : {}),
      // Message content comes from users: never let it pull local files or fetch URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    });
    created.use('stream', transmitHookPlugin);
    return created;
  };
  const fail = (err: unknown): never => {
    const classification = classifySmtpError(err);
    const text = redactSecrets(`${(err as Error)?.message ?? String(err)} (via ${description})`, secrets);
    throw new MailSendError(text, { ...classification, reply: redactSecrets(classification.reply, secrets) });
  };
  return {
    kind: 'smtp',
    description,
    idempotent: false,
    async send(message, hooks) {
      try {
        const options = hooks?.onTransmit ? { ...message, [TRANSMIT_HOOK]: hooks.onTransmit } : message;
        const info = await transporter().sendMail(options);
        return {
          messageId: String(info.messageId),
          response: String(info.response ?? ''),
          accepted: addresses(info.accepted),
          rejected: addresses(info.rejected),
        };
      } catch (err) {
        return fail(err);
      }
    },
    async verify() {
      try {
        await transporter().verify();
      } catch (err) {
        fail(err);
      }
    },
    close: () => made?.close(),
  };
}

// --- .eml files ----------------------------------------------------------------------------------

/** `<nl1.c42@herald.example.org>` -> `nl1.c42@herald.example.org.eml`: one file per Message-ID. */
export function emlFileName(messageId: string): string {
  const safe = messageId
    .replace(/^<|>$/g, '')
    .replace(/[^A-Za-z0-9._@-]/g, '_')
    .replace(/^\.+/, '_');
  return `${safe.slice(0, 200) || 'message'}.eml`;
}

/** Temp file in the same directory, fsync, rename, fsync the directory: a reader never sees half a file. */
async function writeAtomically(dir: string, name: string, data: Buffer): Promise<string> {
  const target = join(dir, name);
  const temp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'wx');
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
  return target;
}

function createEmlTransport(dir: string): MailTransport {
  let made: Transporter | undefined;
  const transporter = () =>
    (made ??= nodemailer().createTransport({ streamTransport: true, buffer: true, newline: 'windows' }));
  return {
    kind: 'eml',
    description: `eml files in ${dir}`,
    idempotent: true,
    async send(message, hooks) {
      try {
        const info = await transporter().sendMail(message);
        await mkdir(dir, { recursive: true });
        await hooks?.onTransmit?.();
        // The same Message-ID overwrites the same file: a resend never makes a second copy.
        const file = await writeAtomically(dir, emlFileName(info.messageId), info.message as Buffer);
        const to = info.envelope.to;
        return {
          messageId: info.messageId,
          response: `saved ${file}`,
          accepted: Array.isArray(to) ? to : [String(to)],
          rejected: [],
          file,
        };
      } catch (err) {
        throw new MailSendError((err as Error).message, classifySmtpError(err));
      }
    },
    async verify() {
      await mkdir(dir, { recursive: true });
    },
    close: () => made?.close(),
  };
}
