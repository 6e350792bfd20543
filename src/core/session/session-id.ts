import { hash, randomBytes } from 'node:crypto';

const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new session id: 256 random bits, base64url. */
export function generateSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** True when a value has the shape of an id we issue (checked before any store look-up). */
export function isWellFormedSessionId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/**
 * The key a session is stored under: a SHA-256 of its id. Someone who reads the store cannot
 * turn a key back into a cookie; the id has enough entropy that no salt is needed.
 */
export function sessionKeyFor(id: string): string {
  // One-shot hash: computed on every request that carries a cookie.
  return hash('sha256', id, 'base64url');
}
