const format = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** A time for people to read, in UTC: "2 Jan 2025, 14:05 UTC". */
export function utcText(at: number): string {
  return `${format.format(at)} UTC`;
}

/** {@link utcText} in a `<time>` element, whose `datetime` machines can read. */
export function UtcTime(props: { at: number }) {
  return <time dateTime={new Date(props.at).toISOString()}>{utcText(props.at)}</time>;
}

/** "about 6 minutes": how far off a time kept at most every `ms` can be. */
export function approximately(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return minutes === 1 ? 'about a minute' : `about ${minutes} minutes`;
}
