import type { SessionStoreSetting } from './config.js';
import { MemorySessionStore } from '../core/session/memory-store.js';
import { RedisSessionStore } from '../stores/redis.js';
import type { SessionStore } from '../core/session/session-store.js';
import { SqliteSessionStore } from '../stores/sqlite.js';

/** Opens the store that `SESSION_STORE` names. */
export function openSessionStore(setting: SessionStoreSetting): SessionStore {
  switch (setting.kind) {
    case 'memory':
      return new MemorySessionStore();
    case 'sqlite':
      return new SqliteSessionStore(setting.path);
    case 'redis':
      return new RedisSessionStore(setting.url);
  }
}
