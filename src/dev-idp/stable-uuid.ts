import { createHash } from 'node:crypto';

/**
 * A GUID-shaped id (version 4 and variant bits set) derived from `text`, so that a demo
 * object's id is the same on every run without being written out.
 */
export function stableUuid(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
