import type { Views } from './views.js';

// Without an SMTP server the mail transport answers `saved /srv/herald/data/mail/<id>.eml`: a path on the
// server, which means nothing to staff and tells outsiders how the server is laid out.
const SAVED_FILE = /^saved \S+$/;

/** The mail server's answer as staff should read it: "written to the mail folder (message id …)". */
export function mailReplyText(views: Views, reply: string | null, messageId: string | null): string | null {
  if (reply === null || !SAVED_FILE.test(reply)) return reply;
  return messageId
    ? views.t('newsletters.replyWrittenId', { messageId })
    : views.t('newsletters.replyWritten');
}
