// Knowing whether a message may have reached the server is what makes a crash safe: before its bytes
// go out the server cannot have accepted it (resending is safe); after, it may have (resending may
// duplicate it). nodemailer's SMTP connection pipes the message stream into the socket only once the
// server has answered DATA with 354 (smtp-connection `send()`: `_setEnvelope` callback, then
// `message.pipe(stream)`). This plugin wraps that `pipe`: it runs the message's `onTransmit` hook
// (e.g. a database write) first, and lets the bytes go only when the hook has finished. A failing
// hook fails the send before anything of the message was transmitted.
// tests/integration/newsletter/transmit-hook.test.ts pins this behaviour to the installed nodemailer.
import type { Readable, Writable } from 'node:stream';
import type Mail from 'nodemailer/lib/mailer';

export type TransmitHook = () => Promise<void>;

/** The message option carrying the hook (nodemailer keeps unknown options on `mail.data`). */
export const TRANSMIT_HOOK = 'heraldOnTransmit';

interface MailWithMessage {
  data: Record<string, unknown>;
  message: { createReadStream: (...args: unknown[]) => Readable };
}

function wrapPipe(stream: Readable, hook: TransmitHook): Readable {
  const pipe = stream.pipe.bind(stream);
  stream.pipe = (<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }) => {
    hook().then(
      () => pipe(destination as unknown as Writable, options),
      (error: unknown) => stream.destroy(error instanceof Error ? error : new Error(String(error))),
    );
    return destination;
  }) as Readable['pipe'];
  return stream;
}

/** nodemailer `stream` step plugin. */
export const transmitHookPlugin: Mail.PluginFunction = (mail, done) => {
  const target = mail as unknown as MailWithMessage;
  const hook = target.data[TRANSMIT_HOOK];
  if (typeof hook === 'function') {
    const create = target.message.createReadStream.bind(target.message);
    target.message.createReadStream = (...args: unknown[]) => wrapPipe(create(...args), hook as TransmitHook);
  }
  done();
};
