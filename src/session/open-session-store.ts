import type { SessionStoreSetting } from '../config.js';
import { MemorySessionStore } from './memory-store.js';
import { RedisSessionStore } from './redis-store.js';
import type { SessionStore } from './session-store.js';
import { SqliteSessionStore } from './sqlite-store.js';

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
