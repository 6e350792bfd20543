/**
 * How the development identity provider grants, shaped like Entra rather than like oidc-provider's
 * defaults: consent implied for the sign-in and `User.Read`, a refresh token whenever
 * `offline_access` is asked, refresh tokens good for every scope the person consented to (also
 * later), rotated on each use, and refused with Entra's AADSTS65001 for a scope not consented.
 */
import { randomUUID } from 'node:crypto';
import {
  errors,
  type Client,
  type Configuration,
  type Grant,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { GRAPH_SCOPES, IMPLIED_GRAPH_SCOPES, IMPLIED_OIDC_SCOPES } from './graph-resource.js';

/**
 * `loadExistingGrant`: the grant the consent page last saved, the session's, or else a new one
 * with what the administrator consented to for the tenant (so first-party sign-in asks nothing).
 */
export function loadImpliedGrant(resource: string) {
  return async (ctx: KoaContextWithOIDC): Promise<Grant | undefined> => {
    const { client, session, result } = ctx.oidc;
    if (!client || !session?.accountId) return undefined;
    const consented = result?.['consent'] as { grantId?: unknown } | undefined;
    const grantId =
      typeof consented?.grantId === 'string'
        ? consented.grantId
        : session.grantIdFor(client.clientId);
    if (grantId !== undefined) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: client.clientId,
      accountId: session.accountId,
    });
    grant.addOIDCScope(IMPLIED_OIDC_SCOPES);
    grant.addResourceScope(resource, IMPLIED_GRAPH_SCOPES);
    await grant.save();
    return grant;
  };
}

/**
 * oidc-provider follows OpenID Connect Core §11 to the letter and drops `offline_access` from an
 * authorization request without `prompt=consent`; Entra gives the refresh token whenever it is
 * asked. So the authorization request is handed to oidc-provider with `consent` added to its
 * prompt, and the consent step passes straight through when nothing new is asked (see
 * interactions.ts). `prompt=none` takes no companion: there offline_access stays dropped.
 * Returns the path and query to hand on, or `null` to leave the request alone.
 */
export function withConsentPromptForOfflineAccess(url: URL): string | null {
  const scopes = (url.searchParams.get('scope') ?? '').split(' ');
  const prompts = (url.searchParams.get('prompt') ?? '').split(' ').filter(Boolean);
  if (!scopes.includes('offline_access') || prompts.includes('consent')) return null;
  // oidc-provider refuses a repeated prompt itself; and none must stay alone.
  if (prompts.includes('none') || url.searchParams.getAll('prompt').length > 1) return null;
  const rewritten = new URL(url);
  rewritten.searchParams.set('prompt', [...prompts, 'consent'].join(' '));
  return `${rewritten.pathname}${rewritten.search}`;
}

/**
 * `issueRefreshToken`: when the client may refresh and asked for `offline_access`. The refresh
 * token is made good for every Graph scope, not only those of this request: Entra's are bound to
 * the person and the app, and redeem for any scope consented to, also after the sign-in (an
 * incremental consent that asked only `Mail.Read` must not lose `User.Read`). The grant is the
 * gate, at each refresh ({@link refuseUnconsentedScopes}).
 */
export const issueRefreshTokenLikeEntra: NonNullable<Configuration['issueRefreshToken']> = (
  _ctx: KoaContextWithOIDC,
  client: Client,
  code,
) => {
  if (!client.grantTypeAllowed('refresh_token') || !code.scopes.has('offline_access')) return false;
  // The refresh token is built from the code's scope right after this answer; the access token
  // and the ID token of this response are already decided by then.
  code.scope = [...new Set([...code.scopes, ...Object.keys(GRAPH_SCOPES)])].join(' ');
  return true;
};

/**
 * `rotateRefreshToken`: always (Entra returns a new refresh token with each refresh; the old one
 * is then refused, and reusing it revokes the grant, RFC 9700 §4.14.2). oidc-provider calls it
 * once it has found the refresh token and its grant and before it spends either, which makes it
 * the place to refuse a scope the person has not consented to, the token left usable.
 */
export function rotateRefreshTokenLikeEntra(resource: string) {
  return (ctx: KoaContextWithOIDC): boolean => {
    refuseUnconsentedScopes(ctx, resource);
    return true;
  };
}

function refuseUnconsentedScopes(ctx: KoaContextWithOIDC, resource: string): void {
  const grant = ctx.oidc.entities.Grant;
  const asked = ctx.oidc.params?.['scope'];
  // Without a scope parameter the refresh gets what the grant holds, as oidc-provider does.
  if (grant === undefined || typeof asked !== 'string') return;
  const granted = new Set(grant.getResourceScope(resource).split(' '));
  const missing = asked.split(' ').filter((s) => s in GRAPH_SCOPES && !granted.has(s));
  if (missing.length === 0) return;
  throw new errors.CustomOIDCProviderError('invalid_grant', consentRequiredDescription(ctx));
}

// Entra's words, with its trace and correlation ids and timestamp, which the core reads.
// https://learn.microsoft.com/entra/identity-platform/reference-error-codes#aadsts-error-codes
function consentRequiredDescription(ctx: KoaContextWithOIDC): string {
  const client = ctx.oidc.client;
  const name = client?.clientName ?? client?.clientId ?? '';
  return (
    `AADSTS65001: The user or administrator has not consented to use the application with ID ` +
    `'${client?.clientId ?? ''}' named '${name}'. Send an interactive authorization request for ` +
    `this user and resource. Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} ` +
    `Timestamp: ${new Date().toISOString().replace('T', ' ').slice(0, 19)}Z`
  );
}

/**
 * A provider middleware that gives the AADSTS65001 answer the rest of Entra's error body:
 * `error_codes` and `suberror: consent_required`, which clients (MSAL, the core) look at.
 */
export async function addEntraConsentFields(
  ctx: KoaContextWithOIDC,
  next: () => Promise<void>,
): Promise<void> {
  await next();
  const body: unknown = ctx.body;
  if (typeof body !== 'object' || body === null) return;
  const description = (body as Record<string, unknown>)['error_description'];
  if (typeof description === 'string' && description.startsWith('AADSTS65001:')) {
    ctx.body = { ...body, error_codes: [65001], suberror: 'consent_required' };
  }
}
