import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/**
 * Signatures for the CMS webhook (`POST /api/hooks/publish`), after Standard Webhooks
 * (standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256>` over "<webhook-id>.<webhook-timestamp>.<raw body>"
 * with the secret's bytes (`whsec_<base64>`); a timestamp more than 5 minutes away is refused. Replays
 * within that window are stopped by remembering each webhook-id (see routes/hooks.ts).
 */
export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

export type WebhookHeaders = Record<
  typeof WEBHOOK_ID_HEADER | typeof WEBHOOK_TIMESTAMP_HEADER | typeof WEBHOOK_SIGNATURE_HEADER,
  string
>;

/** The three headers a sender puts on `rawBody` (what the CMS does; used by tests and the docs' examples). */
export function signWebhook(
  secret: string,
  id: string,
  rawBody: string | Uint8Array,
  at = new Date(),
): WebhookHeaders {
  return {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(Math.floor(at.getTime() / 1000)),
    [WEBHOOK_SIGNATURE_HEADER]: new Webhook(secret).sign(id, at, rawBody),
  };
}

/** The message's webhook-id when its signature and timestamp are good, otherwise null (one answer for every fault). */
export function verifyWebhook(
  secret: string,
  rawBody: Uint8Array,
  headers: Record<string, string | string[] | undefined>,
): string | null {
  const one = (name: string) => {
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const id = one(WEBHOOK_ID_HEADER);
  const timestamp = one(WEBHOOK_TIMESTAMP_HEADER);
  const signature = one(WEBHOOK_SIGNATURE_HEADER);
  if (!id || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp) || id.length > 255) return null;
  try {
    new Webhook(secret).verify(
      rawBody,
      {
        [WEBHOOK_ID_HEADER]: id,
        [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
        [WEBHOOK_SIGNATURE_HEADER]: signature,
      },
      { jsonParse: false },
    );
    return id;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return null;
    throw error;
  }
}
