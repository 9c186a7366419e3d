// The work a chaos scenario keeps in flight: 200 news items published through the API (most at once, some
// scheduled a few seconds ahead) and an announcement newsletter to 1,000 contacts.
import { sampleItem } from '../helpers/app.js';
import { contactsCsv } from '../helpers/newsletter.js';
import { importContacts } from '../../src/store/member-import.js';
import type { Cluster } from './cluster.js';

export const ITEMS = Number(process.env.CHAOS_ITEMS ?? 200);
export const CONTACTS = Number(process.env.CHAOS_CONTACTS ?? 1_000);
const SCHEDULED_SHARE = 4; // every 4th item is scheduled

export interface Traffic {
  itemIds: string[];
  newsletterId: string;
  /** Resolves when every publish request has been accepted (retrying as a client would). */
  done: Promise<void>;
  /** Answers other than 2xx seen on the way, by status ("503": 4). */
  refusals: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls the API like a careful client: 503 and connection errors mean "nothing was done, try again";
 * the requests used here are idempotent (publishing a published revision changes nothing), except a
 * newsletter's send: after a lost answer (the client's timeout on a slow machine), `sentBefore` tells
 * whether the refusal of the retry says the lost attempt had done it.
 */
async function until2xx(
  cluster: Cluster,
  refusals: Record<string, number>,
  method: string,
  url: string,
  body?: unknown,
  sentBefore?: (answer: { status: number; text: string }) => boolean,
): Promise<unknown> {
  const deadline = Date.now() + 120_000;
  let answerLost = false;
  for (;;) {
    const answer = await cluster
      .api(method, url, body)
      .catch((error: Error) => ({ status: 0, text: error.message, json: () => null }));
    if (answer.status >= 200 && answer.status < 300) return answer.json();
    if (answerLost && sentBefore?.(answer)) return null;
    if (answer.status === 0) answerLost = true;
    refusals[answer.status || 'network'] = (refusals[answer.status || 'network'] ?? 0) + 1;
    if (answer.status !== 0 && answer.status !== 503)
      throw new Error(`${method} ${url} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    if (Date.now() > deadline)
      throw new Error(
        `${method} ${url} still refused after 120 s: ${answer.status} ${answer.text.slice(0, 200)}`,
      );
    await sleep(500);
  }
}

/** Drafts and contacts first (not under test); returns once they exist. */
export async function prepareTraffic(cluster: Cluster): Promise<{ itemIds: string[] }> {
  const report = await importContacts(cluster.store, contactsCsv(CONTACTS), { actor: 'chaos' });
  if (report.created !== CONTACTS) throw new Error(`contact import: ${JSON.stringify(report).slice(0, 300)}`);
  const refusals: Record<string, number> = {};
  const itemIds: string[] = [];
  for (let n = 0; n < ITEMS; n += 20) {
    const batch = Array.from({ length: Math.min(20, ITEMS - n) }, (_, i) =>
      until2xx(cluster, refusals, 'POST', '/api/items', sampleItem(n + i)),
    );
    for (const created of await Promise.all(batch)) itemIds.push((created as { id: string }).id);
  }
  return { itemIds };
}

/** Publishes every item (a quarter scheduled 2-6 s ahead) in waves, and sends the newsletter. */
export async function startTraffic(cluster: Cluster, itemIds: string[]): Promise<Traffic> {
  const refusals: Record<string, number> = {};
  const first = itemIds[0]!;
  await until2xx(cluster, refusals, 'POST', `/api/items/${first}/publish`, {});
  const newsletter = (await until2xx(cluster, refusals, 'POST', '/api/newsletters', {
    kind: 'announcement',
    itemIds: [first],
  })) as { id: string };
  const publishAll = async () => {
    const sending = (a: { status: number; text: string }) =>
      a.status === 409 && a.text.includes('"not_draft"') && /is (sending|sent)\b/.test(a.text);
    await until2xx(cluster, refusals, 'POST', `/api/newsletters/${newsletter.id}/send`, {}, sending);
    const rest = itemIds.slice(1);
    for (let i = 0; i < rest.length; i += 10) {
      await Promise.all(
        rest.slice(i, i + 10).map((id, j) => {
          const scheduled = (i + j) % SCHEDULED_SHARE === 0;
          const body = scheduled
            ? { at: new Date(Date.now() + 2_000 + ((i + j) % 5) * 1_000).toISOString() }
            : {};
          return until2xx(cluster, refusals, 'POST', `/api/items/${id}/publish`, body);
        }),
      );
      await sleep(100);
    }
  };
  return { itemIds, newsletterId: newsletter.id, done: publishAll(), refusals };
}
