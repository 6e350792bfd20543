/**
 * Writing a file only its owner may read (a key, a secret), in a folder only its owner may enter.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes `content` to `file` with mode 0600, making its folder (0700) when there is none. A mode
 * given to `writeFileSync` applies to a new file only, so a file left 0644 by an earlier run is
 * narrowed with chmod.
 */
export function writePrivateFile(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, 0o600);
}
