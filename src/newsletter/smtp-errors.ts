// What an SMTP failure means for one recipient's delivery (RFC 5321: after a 4xx the client keeps
// responsibility and retries later; a 5xx is permanent for that recipient).

export type DeliveryErrorKind = 'deferred' | 'bounced' | 'failed';

export interface SmtpErrorClass {
  /**
   * deferred: retry this recipient later. bounced: the server refused the recipient for good (550-554).
   * failed: the message cannot go out as it is (other 5xx, invalid address); do not retry.
   */
  kind: DeliveryErrorKind;
  /** The server's reply, or the error message when there is none. */
  reply: string;
  responseCode?: number;
  /** nodemailer's code: EENVELOPE, EMESSAGE, ECONNECTION, ETIMEDOUT, ESOCKET, EAUTH... */
  code?: string;
  /**
   * recipient: about this address only. message: about this message. transport: about the server or
   * our configuration (auth, TLS, connection, sender refused) — every message would meet it, so the
   * kind is always `deferred` and the sender should back off or pause the whole send.
   */
  scope: 'recipient' | 'message' | 'transport';
  /**
   * The connection broke while the message may already have been transmitted: the server may have
   * accepted it. Resending risks a duplicate, not resending risks a loss; decide explicitly.
   */
  outcomeUnknown: boolean;
}

interface ErrorLike {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  message?: unknown;
}

const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROXY',
  'EREQUIRETLS',
]);
const AUTH_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);
const BOUNCE_CODES = new Set([550, 551, 552, 553, 554]);
/** Connection errors that happen before anything of the message is sent. */
const NOT_SENT =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET before|Greeting never received|Connection timeout|connect ETIMEDOUT|Invalid greeting/i;

function scopeOfCommand(command: string): SmtpErrorClass['scope'] {
  if (/^RCPT/i.test(command)) return 'recipient';
  if (/^DATA|^BDAT|^MESSAGE/i.test(command)) return 'message';
  return 'transport';
}

export function classifySmtpError(err: unknown): SmtpErrorClass {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const command = typeof e.command === 'string' ? e.command : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const reply = typeof e.response === 'string' && e.response ? e.response : message;
  const base = {
    reply,
    ...(responseCode !== undefined ? { responseCode } : {}),
    ...(code ? { code } : {}),
    outcomeUnknown: false,
  };

  if (code && AUTH_CODES.has(code)) return { ...base, kind: 'deferred', scope: 'transport' };
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 600) {
    return { ...base, ...byReplyCode(responseCode, command) };
  }
  if (code && CONNECTION_CODES.has(code)) {
    return {
      ...base,
      kind: 'deferred',
      scope: 'transport',
      outcomeUnknown: code !== 'EDNS' && !NOT_SENT.test(message),
    };
  }
  if (code === 'EENVELOPE' || code === 'EMESSAGE' || code === 'EMAXRECIPIENTS') {
    return { ...base, kind: 'failed', scope: 'message' };
  }
  // Not an SMTP answer (a bug, a configuration problem): not the recipient's fault, do not give up on them.
  return { ...base, kind: 'deferred', scope: 'transport' };
}

function byReplyCode(responseCode: number, command: string): Pick<SmtpErrorClass, 'kind' | 'scope'> {
  const scope = scopeOfCommand(command);
  // 421 closes the session, 454 is throttling or a temporary TLS/auth problem: server-wide either way.
  if (responseCode === 421 || responseCode === 454) return { kind: 'deferred', scope: 'transport' };
  if (responseCode < 500) return { kind: 'deferred', scope };
  // 503 (bad sequence of commands) is a session-state problem; the same message passes on a new connection.
  if (responseCode === 503) return { kind: 'deferred', scope: 'transport' };
  // A 5xx before RCPT (greeting, EHLO, AUTH, MAIL FROM refusing our sender) is ours to fix, not the recipient's.
  if (scope === 'transport') return { kind: 'deferred', scope };
  return BOUNCE_CODES.has(responseCode) ? { kind: 'bounced', scope } : { kind: 'failed', scope };
}

/** Replaces every occurrence of each secret (and its URL-encoded form) with `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***');
  }
  return out;
}

/** `smtp://user:secret@host:587` -> `smtp://user:***@host:587`; unparseable input -> `[invalid URL]`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href.replace(/\/$/, '');
  } catch {
    return '[invalid URL]';
  }
}
