import type { KeyedSession, SessionStore, StoredSession } from '../core/session/session-store.js';
import type { AppMetrics, StoreOperation } from './metrics.js';

/**
 * A session store that times every operation of the store it wraps, and counts those that fail,
 * for the app's metrics. It changes nothing else: answers and rejections pass through as they
 * are, so the library sees the store it was given.
 */
export class MeasuredSessionStore implements SessionStore {
  readonly #inner: SessionStore;
  readonly #metrics: AppMetrics;

  constructor(inner: SessionStore, metrics: AppMetrics) {
    this.#inner = inner;
    this.#metrics = metrics;
  }

  get(key: string, now: number): Promise<StoredSession | null> {
    return this.#measure('get', () => this.#inner.get(key, now));
  }

  set(key: string, session: StoredSession, tokens?: string): Promise<void> {
    return this.#measure('set', () => this.#inner.set(key, session, tokens));
  }

  getTokens(key: string, now: number): Promise<string | null> {
    return this.#measure('getTokens', () => this.#inner.getTokens(key, now));
  }

  setTokens(key: string, tokens: string | null, now: number): Promise<boolean> {
    return this.#measure('setTokens', () => this.#inner.setTokens(key, tokens, now));
  }

  replace(key: string, session: StoredSession, now: number): Promise<boolean> {
    return this.#measure('replace', () => this.#inner.replace(key, session, now));
  }

  touch(key: string, refreshedAt: number, expiresAt: number): Promise<void> {
    return this.#measure('touch', () => this.#inner.touch(key, refreshedAt, expiresAt));
  }

  delete(key: string): Promise<void> {
    return this.#measure('delete', () => this.#inner.delete(key));
  }

  deleteByUser(userKey: string): Promise<number> {
    return this.#measure('deleteByUser', () => this.#inner.deleteByUser(userKey));
  }

  listByUser(userKey: string, now: number): Promise<KeyedSession[]> {
    return this.#measure('listByUser', () => this.#inner.listByUser(userKey, now));
  }

  listUsers(now: number, limit: number): Promise<string[]> {
    return this.#measure('listUsers', () => this.#inner.listUsers(now, limit));
  }

  deleteByProviderSid(providerSid: string): Promise<number> {
    return this.#measure('deleteByProviderSid', () => this.#inner.deleteByProviderSid(providerSid));
  }

  markUsed(key: string, expiresAt: number, now: number): Promise<boolean> {
    return this.#measure('markUsed', () => this.#inner.markUsed(key, expiresAt, now));
  }

  forgetUsed(key: string): Promise<void> {
    return this.#measure('forgetUsed', () => this.#inner.forgetUsed(key));
  }

  purgeExpired(now: number): Promise<number> {
    return this.#measure('purgeExpired', () => this.#inner.purgeExpired(now));
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  async #measure<T>(operation: StoreOperation, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await work();
      this.#metrics.storeOperation(operation, (performance.now() - started) / 1000, false);
      return result;
    } catch (error) {
      this.#metrics.storeOperation(operation, (performance.now() - started) / 1000, true);
      throw error;
    }
  }
}
