// "Announce to members": an item published with `announce: true` gets a `newsletter` delivery; this
// handler turns it into an announcement newsletter and starts sending it. The newsletter's source key
// is the delivery id, so a re-run (crash, retry) finds the one it created instead of making another.
import type { ErrorClass } from '../domain/delivery-outcome.js';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.js';
import type { DeliveryHandler } from '../queues/deliver.js';
import { recordAudit } from '../store/audit.js';
import { getNewsletter, insertNewsletter } from '../store/newsletters.js';
import type { Newsletter } from '../domain/newsletter-send.js';
import type { NewsletterDeps } from './send-flow.js';
import { startSend } from './send-flow.js';
import { NewsletterTemplateError } from './templates.js';

export function announceHandler(deps: NewsletterDeps): DeliveryHandler {
  return {
    gateKey: () => null,

    async run({ delivery, item }) {
      const { newsletter, created } = await insertNewsletter(deps.store.db, {
        kind: 'announcement',
        itemIds: [item.id],
        source: 'announce',
        sourceKey: `announce:${delivery.id}`,
        createdBy: 'announce',
      });
      if (created)
        await recordAudit(deps.store.db, {
          actor: 'worker',
          action: 'newsletter_created',
          subjectType: 'newsletter',
          subjectId: newsletter.id,
          details: { item: item.id, delivery: delivery.id },
        });
      const started = newsletter.status === 'draft' ? await startOnce(deps, newsletter.id) : newsletter;
      deps.log.info(
        { itemId: item.id, newsletterId: started.id, status: started.status },
        'announcement newsletter under way',
      );
      return { remoteId: started.id, remoteUrl: null };
    },

    classify(error): ErrorClass {
      // Configuration and content problems do not go away by retrying; a person fixes them and retries.
      if (
        error instanceof ConflictError ||
        error instanceof ValidationError ||
        error instanceof NotFoundError
      )
        return { kind: 'permanent', message: error.message };
      if (error instanceof NewsletterTemplateError) return { kind: 'permanent', message: error.message };
      return { kind: 'transient', message: (error as Error)?.message ?? String(error) };
    },
  };
}

/** Starts the announcement; one found already started (by an earlier run or the sweeper) is fine. */
async function startOnce(deps: NewsletterDeps, id: string): Promise<Newsletter> {
  try {
    return await startSend(deps, id, { actor: 'announce' });
  } catch (error) {
    const now = await getNewsletter(deps.store.db, id);
    if (error instanceof ConflictError && now.status !== 'draft') return now;
    throw error;
  }
}
