import type { ClientAssertionSettings } from '../option-types.js';
import {
  assertionUnavailable,
  readAssertionClaims,
  type AssertionRuntime,
  type ClientAssertionSource,
} from './client-assertion.js';
import { describeFailure } from '../describe-failure.js';

type ManagedIdentitySettings = Extract<ClientAssertionSettings, { kind: 'managed-identity' }>;

// The version App Service, Functions and Container Apps answer with the X-IDENTITY-HEADER header
// and `expires_on` in epoch seconds.
const API_VERSION = '2019-08-01';
// A token is fetched again this long before it expires, so that the one sent is never about to.
const REFRESH_BEFORE_MS = 5 * 60_000;
// After a failed early refresh, the token in hand is still sent while it has this long to live.
const LEAST_LIFE_MS = 60_000;

interface HeldToken {
  readonly token: string;
  readonly expiresAt: number;
  readonly refreshAt: number;
}

/**
 * A user-assigned managed identity's token for the token exchange audience, from the platform's
 * identity endpoint, and only from there: nothing asks the instance metadata service. Kept until
 * five minutes before it expires, and fetched once however many sign-ins wait for it.
 *
 * @see https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference
 * @see https://learn.microsoft.com/entra/workload-id/workload-identities-federation-config-app-trust-managed-identity
 */
export class ManagedIdentityToken implements ClientAssertionSource {
  readonly #settings: ManagedIdentitySettings;
  readonly #runtime: AssertionRuntime;
  #held: HeldToken | null = null;
  #pending: Promise<string> | null = null;

  constructor(settings: ManagedIdentitySettings, runtime: AssertionRuntime) {
    this.#settings = settings;
    this.#runtime = runtime;
  }

  assertion(): Promise<string> {
    const held = this.#held;
    if (held !== null && this.#runtime.now() < held.refreshAt) return Promise.resolve(held.token);
    this.#pending ??= this.#refresh(held).finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  async #refresh(held: HeldToken | null): Promise<string> {
    try {
      this.#held = await this.#fetchToken();
      return this.#held.token;
    } catch (error) {
      // Refreshed early on purpose: a token that is still good carries the app over a short
      // outage of the endpoint.
      if (held !== null && this.#runtime.now() < held.expiresAt - LEAST_LIFE_MS) return held.token;
      throw error;
    }
  }

  async #fetchToken(): Promise<HeldToken> {
    const { endpoint, identityHeader, clientId, audience } = this.#settings;
    const url = new URL(endpoint);
    url.searchParams.set('resource', audience);
    url.searchParams.set('api-version', API_VERSION);
    url.searchParams.set('client_id', clientId);
    const where = `The managed identity endpoint ${url.origin}${url.pathname}`;
    let status: number;
    let text: string;
    try {
      const response = await this.#runtime.fetch(url.href, {
        headers: { 'X-IDENTITY-HEADER': identityHeader, accept: 'application/json' },
        // The header is for this endpoint alone: a redirect elsewhere is not followed.
        redirect: 'error',
        signal: AbortSignal.timeout(this.#runtime.timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (cause) {
      throw assertionUnavailable(`${where} did not answer (${describeFailure(cause)})`, cause);
    }
    if (status !== 200) {
      throw assertionUnavailable(`${where} answered HTTP ${status}${explanationIn(text)}`);
    }
    return this.#readAnswer(text, where);
  }

  #readAnswer(text: string, where: string): HeldToken {
    const body = parseObject(text);
    const token = body?.['access_token'];
    const claims = typeof token === 'string' ? readAssertionClaims(token) : null;
    if (typeof token !== 'string' || claims === null) {
      throw assertionUnavailable(`${where} answered without a token (no access_token JWT)`);
    }
    const now = this.#runtime.now();
    const expiresAt =
      expiryOf(body?.['expires_on'], body?.['expires_in'], now) ??
      (typeof claims.exp === 'number' ? claims.exp * 1000 : null);
    if (expiresAt === null || expiresAt <= now) {
      throw assertionUnavailable(`${where} answered with a token that has expired or says no end`);
    }
    const life = expiresAt - now;
    // A token that lives less than twice the margin is used for half its life.
    const refreshAt = life > 2 * REFRESH_BEFORE_MS ? expiresAt - REFRESH_BEFORE_MS : now + life / 2;
    return { token, expiresAt, refreshAt };
  }
}

// `expires_on` is epoch seconds as a string (2019-08-01) or a date (the older 2017-09-01);
// `expires_in` in seconds, as some platforms add.
function expiryOf(expiresOn: unknown, expiresIn: unknown, now: number): number | null {
  if (typeof expiresOn === 'number') return expiresOn * 1000;
  if (typeof expiresOn === 'string' && /^\d+$/.test(expiresOn)) return Number(expiresOn) * 1000;
  if (typeof expiresOn === 'string' && !Number.isNaN(Date.parse(expiresOn))) {
    return Date.parse(expiresOn);
  }
  const seconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? now + seconds * 1000 : null;
}

// The endpoint's own words, for the log: App Service sends `{ statusCode, message }`, others an
// OAuth-style `error_description`. One line, and short.
function explanationIn(text: string): string {
  const body = parseObject(text);
  const nested = body?.['error'];
  const said = [
    body?.['message'],
    body?.['error_description'],
    typeof nested === 'object' && nested !== null
      ? (nested as Record<string, unknown>)['message']
      : nested,
  ].find((value): value is string => typeof value === 'string' && value !== '');
  if (said === undefined) return '';
  const line = said.replace(/\p{Cc}+/gu, ' ').trim();
  return `: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
