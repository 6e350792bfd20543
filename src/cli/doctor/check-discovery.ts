/**
 * The doctor's discovery check: the authority's metadata is reachable and names the issuer the
 * app will accept, by the app's own rule (OpenID Connect Discovery 1.0 §4.3, with Entra's
 * exceptions).
 */
import { findEntraErrorCode } from '../../core/entra/entra-error.js';
import { isAppError } from '../../core/errors.js';
import { checkDiscoveredIssuer } from '../../core/provider/discovered-issuer.js';
import type { ProviderFetch } from '../../core/provider/provider-connection.js';
import type { Config } from '../../app/config.js';
import { describeFailure } from '../../core/describe-failure.js';
import type { CheckResult } from './check-result.js';
import { entraSentence } from './entra-sentences.js';

/** The discovered metadata and when the provider said it answered. */
export interface DiscoveryOutcome {
  readonly result: CheckResult;
  readonly metadata: Record<string, unknown> | null;
  /** The provider's `Date` header in ms, and our clock at the middle of the request. */
  readonly clock: { readonly providerMs: number; readonly localMs: number } | null;
}

const TITLE = 'The authority’s discovery document is reachable and its issuer matches';

/** Fetches `AUTHORITY/.well-known/openid-configuration` and checks its issuer. */
export async function checkDiscovery(
  config: Config,
  now: () => number,
  providerFetch: ProviderFetch,
): Promise<DiscoveryOutcome> {
  const { authority, timeoutSeconds } = config.oidc;
  const url = `${authority}/.well-known/openid-configuration`;
  const fail = (detail: string, fix: string): DiscoveryOutcome => ({
    result: { title: TITLE, status: 'fail', detail, fix },
    metadata: null,
    clock: null,
  });
  let response: Response;
  const sent = now();
  try {
    response = await providerFetch(url, { signal: AbortSignal.timeout(timeoutSeconds * 1000) });
  } catch (error) {
    return fail(
      `${url} cannot be reached: ${describeFailure(error, { form: 'sentence' })}.`,
      'Check AUTHORITY (or TENANT_ID) for typos, and that this machine can reach it (proxy, firewall). For a national cloud set AUTHORITY, such as https://login.microsoftonline.us/{tenant}/v2.0.',
    );
  }
  const received = now();
  const text = await response.text();
  const body = parseJson(text);
  if (!response.ok) {
    const description =
      typeof body?.['error_description'] === 'string' ? body['error_description'] : undefined;
    const known = entraSentence(findEntraErrorCode(description), config);
    if (known) return fail(known.detail, known.fix);
    return fail(
      `${url} answered HTTP ${response.status}: AUTHORITY does not look like an OpenID issuer.`,
      'Set AUTHORITY to the issuer itself (discovery is read from AUTHORITY/.well-known/openid-configuration), or set TENANT_ID for Entra ID.',
    );
  }
  if (body === null || typeof body['issuer'] !== 'string') {
    return fail(
      `${url} did not answer with a discovery document (JSON with an issuer).`,
      'Check AUTHORITY: it must be the issuer of an OpenID provider.',
    );
  }
  const issuer = body['issuer'];
  const date = Date.parse(response.headers.get('date') ?? '');
  const clock = Number.isNaN(date) ? null : { providerMs: date, localMs: (sent + received) / 2 };
  try {
    // The app's own rule, so that the doctor passes exactly what sign-in will accept.
    checkDiscoveredIssuer(issuer, new URL(authority), config.oidc.multiTenant);
  } catch (error) {
    if (!isAppError(error)) throw error;
    return {
      ...fail(
        `The discovery document names the issuer ${issuer}, not AUTHORITY ${authority}.`,
        issuerFix(issuer),
      ),
      clock,
    };
  }
  return {
    result: { title: TITLE, status: 'pass', detail: `${url} names the issuer ${issuer}.` },
    metadata: body,
    clock,
  };
}

function issuerFix(issuer: string): string {
  const tenant = /^https:\/\/[^/]+\/([0-9a-f-]{36})\/v2\.0$/i.exec(issuer)?.[1];
  if (tenant !== undefined) {
    return `Set TENANT_ID=${tenant} (without AUTHORITY), or AUTHORITY=${issuer}.`;
  }
  return `Set AUTHORITY=${issuer} exactly (scheme, host, path, and no trailing slash).`;
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
