import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import type { OAuth2Tokens, TokenStore } from './twitter/auth.js';

// Secrets at rest (rotated OAuth tokens): AES-256-GCM with a key derived from HERALD_SECRET_KEY.
// Format: "v1.<base64url(iv | tag | ciphertext)>".

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The encryption key for a passphrase such as HERALD_SECRET_KEY (derive once: scrypt is slow on purpose). */
export function secretKeyFrom(passphrase: string): Buffer {
  if (passphrase.length < 16) throw new Error('the secret key must be at least 16 characters');
  return scryptSync(passphrase, 'herald-secrets-v1', 32);
}

export function encryptSecret(plain: string, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url')}`;
}

export function decryptSecret(blob: string, key: Buffer): string {
  const [version, payload = ''] = blob.split('.', 2);
  const raw = Buffer.from(payload, 'base64url');
  if (version !== VERSION || raw.length < IV_BYTES + TAG_BYTES)
    throw new Error('stored secret is not in a known format');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new Error('stored secret cannot be decrypted (wrong HERALD_SECRET_KEY, or damaged data)');
  }
}

/** Where encrypted blobs live, e.g. the accounts table's credentials column. */
export interface SecretBlobs {
  load(accountId: string): Promise<string | null>;
  save(accountId: string, blob: string): Promise<void>;
}

/** A TokenStore that keeps OAuth 2 tokens encrypted in `blobs`. */
export function encryptedTokenStore(
  blobs: SecretBlobs,
  key: Buffer,
  withLock?: TokenStore['withLock'],
): TokenStore {
  const store: TokenStore = {
    async load(accountId) {
      const blob = await blobs.load(accountId);
      return blob ? (JSON.parse(decryptSecret(blob, key)) as OAuth2Tokens) : null;
    },
    save: (accountId, tokens) => blobs.save(accountId, encryptSecret(JSON.stringify(tokens), key)),
  };
  if (withLock) store.withLock = withLock;
  return store;
}
