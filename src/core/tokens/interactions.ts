import { hash } from 'node:crypto';
import { AppError } from '../errors.js';
import { describeClaims } from './claims-challenge.js';
import { scopeKey, type Interacted, type TokenRecord } from './token-record.js';

/** The scopes and claims a trip to the provider is to ask for. */
export interface Interaction {
  readonly scopes: readonly string[];
  readonly claims: Record<string, unknown> | null;
}

// A second trip for the same thing within this time means the first did not satisfy the API;
// and more than this many trips of any kind in it mean the APIs are not to be satisfied.
const INTERACTION_MEMORY_MS = 5 * 60 * 1000;
const MAX_RECENT_INTERACTIONS = 2;

/** The key an interaction is remembered by (see `TokenRecord.interactions`). */
function interactionKeyOf(interaction: Interaction): string {
  const what = `${scopeKey(interaction.scopes)}|${JSON.stringify(interaction.claims)}`;
  return hash('sha256', what, 'base64url').slice(0, 22);
}

/** The trips of the last few minutes that still count against the loop guard. */
export function recentInteractions(trips: readonly Interacted[], now: number): Interacted[] {
  return trips
    .filter((trip) => now - trip.at < INTERACTION_MEMORY_MS)
    .slice(-MAX_RECENT_INTERACTIONS);
}

/**
 * The error that sends the person to the provider for `interaction`
 * (`API_INTERACTION_REQUIRED`), or, when the last trips asked the same or were too many, the
 * one that stops the loop (`API_CHALLENGE_UNMET`). Both carry what the trip needs as facts.
 */
export function interactionError(
  now: number,
  record: TokenRecord | null,
  interaction: Interaction,
  cause?: AppError,
): AppError {
  const key = interactionKeyOf(interaction);
  const earlier = recentInteractions(record?.interactions ?? [], now);
  const facts = {
    interaction: key,
    // Carried through the trip, so the session that comes back remembers the trips before.
    earlier: JSON.stringify(earlier),
    scopes: interaction.scopes.join(' '),
    ...(interaction.claims === null
      ? {}
      : {
          claims: JSON.stringify(interaction.claims),
          asked: describeClaims(interaction.claims),
        }),
  };
  const options = { cause, providerCode: cause?.providerCode, facts };
  if (earlier.some((trip) => trip.key === key) || earlier.length >= MAX_RECENT_INTERACTIONS) {
    return new AppError(
      'API_CHALLENGE_UNMET',
      'The API still asks for more after the last trips to the provider',
      options,
    );
  }
  return new AppError(
    'API_INTERACTION_REQUIRED',
    'The person must visit the provider first',
    options,
  );
}
