const MIN_SECRET_LENGTH = 6;

/** Removes `access_token` (and similar) values from a URL or any text containing URLs. */
export function stripTokensFromUrls(text: string): string {
  return text.replace(
    /([?&](?:access_token|appsecret_proof|client_secret|refresh_token)=)[^&\s"']*/gi,
    '$1[redacted]',
  );
}

/** Replaces every occurrence of the given secrets (and token query parameters) with "[redacted]". */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  let result = stripTokensFromUrls(text);
  for (const secret of secrets) {
    if (secret && secret.length >= MIN_SECRET_LENGTH) result = result.split(secret).join('[redacted]');
  }
  return result;
}

/** Platform-provided detail for a message: one line, bounded, no secrets. */
export function platformDetail(text: unknown, secrets: readonly (string | null | undefined)[] = []): string {
  if (typeof text !== 'string') return '';
  const line = redact(text, secrets).replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
