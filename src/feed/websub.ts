import { HeraldError } from '../domain/errors.js';
/** A hub that did not accept a publish ping. */
export class WebSubPingError extends HeraldError {
  constructor(
    readonly hubUrl: string,
    readonly reason: string,
  ) {
    super(`WebSub hub ${hubUrl} did not accept the ping: ${reason}`, {
      code: 'websub_ping_failed',
      httpStatus: 502,
      errorClass: 'transient',
    });
  }
}

/**
 * Tells a WebSub hub that feeds changed, so it fetches them and pushes to subscribers:
 * one `POST hub.mode=publish&hub.url=<feed URL>` per feed (the PubSubHubbub publish convention
 * that the common hubs accept). The hub URL comes from configuration, so it is trusted.
 */
export async function pingWebSubHub(
  hubUrl: string,
  feedUrls: readonly string[],
  timeoutMs = 10_000,
): Promise<void> {
  for (const feedUrl of feedUrls) {
    let response: Response;
    try {
      response = await fetch(hubUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': feedUrl }).toString(),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `timed out after ${timeoutMs / 1000} s`
          : (error as Error).message;
      throw new WebSubPingError(hubUrl, reason);
    }
    await response.body?.cancel();
    if (!response.ok) throw new WebSubPingError(hubUrl, `HTTP ${response.status}`);
  }
}
