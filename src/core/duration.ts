const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration such as `90s`, `15m`, `12h`, `2d` or `500ms` into milliseconds; a bare number
 * is seconds. Returns `null` for anything else.
 */
export function parseDuration(value: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = units[match[2] ?? 's'] ?? 1000;
  return Math.round(amount * unit);
}
