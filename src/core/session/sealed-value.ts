import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Keys for sealing short-lived values into cookies, derived from the session secrets with HKDF
 * (one key per secret and purpose): the first seals, all open, so secrets rotate as for the
 * session cookie.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5869
 */
export class SealingKeys {
  readonly #keys: readonly Buffer[];

  constructor(secrets: readonly string[], purpose: string) {
    this.#keys = secrets.map((secret) =>
      Buffer.from(hkdfSync('sha256', secret, 'entra-signin', `entra-signin ${purpose}`, 32)),
    );
  }

  /**
   * Encrypts and authenticates `plaintext` (AES-256-GCM), bound to `context`: a sealed value
   * opens only for the same context, so one cannot be moved to stand for another.
   */
  seal(plaintext: string, context: string): string {
    const key = this.#keys[0];
    if (key === undefined) throw new Error('No sealing key');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The plaintext of a sealed value, or `null` when no key opens it for this context. */
  open(sealed: string, context: string): string | null {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 12 + 16 + 1) return null;
    const iv = raw.subarray(0, 12);
    const tag = raw.subarray(raw.length - 16);
    const body = raw.subarray(12, raw.length - 16);
    for (const key of this.#keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch {
        // Not this key: try the next.
      }
    }
    return null;
  }
}
