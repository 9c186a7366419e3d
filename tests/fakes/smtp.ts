// An in-process SMTP server for tests (smtp-server on 127.0.0.1, random port) that records every
// accepted message and can inject the faults a real mail server produces.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

export interface ReceivedMessage {
  raw: Buffer;
  envelope: { from: string; to: string[] };
  sessionId: string;
  user: string | undefined;
}

export interface SmtpFaults {
  /** Answer `code` at RCPT TO for these recipients, for each one's first `times` attempts. 421 also closes the connection. */
  tempFail?: { recipients: string[]; code?: 421 | 450 | 451 | 452 | 454; times: number };
  /** Answer `code` (550 by default) at RCPT TO for these recipients, every time. */
  reject?: { recipients: string[]; code?: 550 | 551 | 552 | 553 | 554; message?: string };
  /**
   * Once `afterMessages` messages have been accepted, destroy the connection without replying:
   * at RCPT TO (nothing was transmitted) or after the message data (the outcome is unknown to the
   * client; the message lands in `dropped`, not in `messages`). Happens once.
   */
  drop?: { afterMessages: number; stage?: 'rcpt' | 'data' };
  /**
   * Once `afterMessages` messages have been accepted, stop answering at RCPT TO or after the message
   * data (a server that hangs), until the client goes away. Held data lands in `dropped` when its
   * connection closes: the server never accepted it.
   */
  stall?: { afterMessages: number; stage?: 'rcpt' | 'data' };
}

export interface FakeSmtpOptions {
  faults?: SmtpFaults;
  /** Require these credentials (AUTH PLAIN/LOGIN); without it AUTH is disabled. */
  auth?: { user: string; pass: string };
}

export interface FakeSmtp {
  port: number;
  /** `smtp://127.0.0.1:port` (with the credentials when auth is configured). */
  url: string;
  messages: ReceivedMessage[];
  /** Messages whose data was received but whose connection was dropped before the reply. */
  dropped: ReceivedMessage[];
  /** RCPT TO attempts per recipient (lowercased), accepted or not. */
  attempts: Map<string, number>;
  setFaults(faults: SmtpFaults): void;
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function envelopeOf(session: SMTPServerSession): ReceivedMessage['envelope'] {
  const from = session.envelope.mailFrom;
  return { from: from ? from.address : '', to: session.envelope.rcptTo.map((r) => r.address) };
}

export async function startFakeSmtp(options: FakeSmtpOptions = {}): Promise<FakeSmtp> {
  let faults: SmtpFaults = options.faults ?? {};
  let dropDone = false;
  const messages: ReceivedMessage[] = [];
  const dropped: ReceivedMessage[] = [];
  const attempts = new Map<string, number>();
  const auth = options.auth;

  const held = new Map<string, ReceivedMessage>();
  const shouldStall = (stage: 'rcpt' | 'data'): boolean =>
    faults.stall !== undefined &&
    (faults.stall.stage ?? 'data') === stage &&
    messages.length >= faults.stall.afterMessages;

  const shouldDrop = (stage: 'rcpt' | 'data'): boolean =>
    !dropDone &&
    faults.drop !== undefined &&
    (faults.drop.stage ?? 'data') === stage &&
    messages.length >= faults.drop.afterMessages;

  const destroyConnection = (session: SMTPServerSession): void => {
    dropDone = true;
    for (const connection of server.connections) {
      if (connection.id === session.id) connection._socket.destroy();
    }
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    logger: false,
    onClose(session) {
      const message = held.get(session.id);
      if (message) {
        held.delete(session.id);
        dropped.push(message);
      }
    },
    onAuth(credentials, _session, callback) {
      if (auth && credentials.username === auth.user && credentials.password === auth.pass) {
        callback(null, { user: credentials.username });
      } else {
        callback(smtpError(535, 'Authentication credentials invalid'));
      }
    },
    onRcptTo(address: SMTPServerAddress, session, callback) {
      const recipient = address.address.toLowerCase();
      const count = (attempts.get(recipient) ?? 0) + 1;
      attempts.set(recipient, count);
      if (shouldDrop('rcpt')) return destroyConnection(session);
      if (shouldStall('rcpt')) return; // never answers
      const { tempFail, reject } = faults;
      if (reject?.recipients.some((r) => r.toLowerCase() === recipient)) {
        return callback(smtpError(reject.code ?? 550, reject.message ?? '5.1.1 Mailbox unavailable'));
      }
      if (tempFail?.recipients.some((r) => r.toLowerCase() === recipient) && count <= tempFail.times) {
        return callback(smtpError(tempFail.code ?? 451, '4.3.0 Try again later'));
      }
      callback();
    },
    onData(stream, session, callback) {
      readAll(stream).then(
        (raw) => {
          const message = {
            raw,
            envelope: envelopeOf(session),
            sessionId: session.id,
            user: session.user as string | undefined,
          };
          if (shouldDrop('data')) {
            dropped.push(message);
            return destroyConnection(session);
          }
          if (shouldStall('data')) return void held.set(session.id, message); // never answers
          messages.push(message);
          callback(null, `2.0.0 Ok: queued as ${messages.length}`);
        },
        (err: Error) => callback(err),
      );
    },
  });
  // A destroyed socket surfaces as an 'error' on the server; it is the point of the fault, not a failure.
  server.on('error', () => undefined);

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const credentials = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@` : '';

  return {
    port,
    url: `smtp://${credentials}127.0.0.1:${port}`,
    messages,
    dropped,
    attempts,
    setFaults(next) {
      faults = next;
      dropDone = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
