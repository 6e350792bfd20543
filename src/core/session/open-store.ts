import { MemorySessionStore } from './memory-store.js';
import type { SessionStore } from './session-store.js';

/**
 * The store that `session.store` names: the instance given, or one opened from `memory`,
 * `sqlite:PATH`, a `redis://` URL or a `redis-cluster://` one. The SQLite and Redis stores are
 * loaded only when named, so their drivers (optional peer dependencies) are needed only by
 * those who use them.
 */
export async function openStore(store: SessionStore | string): Promise<SessionStore> {
  if (typeof store !== 'string') return store;
  if (store === 'memory') return new MemorySessionStore();
  if (store.startsWith('sqlite:')) {
    const { SqliteSessionStore } = await import('../../stores/sqlite.js');
    return new SqliteSessionStore(store.slice('sqlite:'.length));
  }
  if (/^rediss?-cluster:/.test(store)) {
    const { RedisClusterSessionStore } = await import('../../stores/redis-cluster.js');
    return new RedisClusterSessionStore(store);
  }
  const { RedisSessionStore } = await import('../../stores/redis.js');
  return new RedisSessionStore(store);
}
