import type { AppError } from '../errors.js';
import { buildAuthorizationRequest } from '../flows/sign-in.js';
import { readCookies } from '../session/session-cookie.js';
import type { ActiveSession } from '../session/session-manager.js';
import type { Interaction } from '../tokens/api-tokens.js';
import {
  isCrossSiteNavigation,
  returnPathOf,
  type AuthRequest,
  type AuthResponse,
  type ResponseDraft,
} from './auth-request.js';
import type { RouteContext } from './route-context.js';

/**
 * The answer to a page whose API call needs the person at the provider (consent to a scope, a
 * Conditional Access claims challenge): straight there, asking for what the API wants, and back
 * to the same page. Only for a GET of a page; the loop guard is in `ApiTokens`.
 */
export async function interactionRedirect(
  context: RouteContext,
  request: AuthRequest,
  error: AppError,
  session: ActiveSession | null,
  draft: ResponseDraft,
): Promise<AuthResponse> {
  const interaction = interactionOf(error);
  const { url, state, attempt } = await buildAuthorizationRequest(context.provider, {
    redirectUri: context.options.redirectUri,
    returnTo: returnPathOf(request),
    now: context.now(),
    crossSite: isCrossSiteNavigation(request),
    extraScopes: context.tokens.signInScopes(interaction),
    claims: context.tokens.claimsFor(interaction),
    loginHint: session === null ? undefined : loginHintOf(session.data.user.claims),
    interaction:
      typeof error.facts?.['interaction'] === 'string' ? error.facts['interaction'] : undefined,
    earlierInteractions: earlierOf(error),
  });
  draft.cookies.push(
    ...context.attempts.start(readCookies(request.header('cookie')), state, attempt),
  );
  context
    .logFor(request)
    .info(
      { code: error.code, scopes: interaction.scopes.join(' ') },
      'sent to the provider for an API',
    );
  return draft.redirect(url.href, 302);
}

function interactionOf(error: AppError): Interaction {
  const scopes = String(error.facts?.['scopes'] ?? '')
    .split(' ')
    .filter(Boolean);
  const claims = error.facts?.['claims'];
  let parsed: Record<string, unknown> | null = null;
  if (typeof claims === 'string') {
    try {
      parsed = JSON.parse(claims) as Record<string, unknown>;
    } catch {
      parsed = null;
    }
  }
  return { scopes, claims: parsed };
}

function earlierOf(error: AppError): { key: string; at: number }[] {
  try {
    const parsed: unknown = JSON.parse(String(error.facts?.['earlier'] ?? '[]'));
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (trip): trip is { key: string; at: number } =>
        typeof (trip as { key?: unknown }).key === 'string' &&
        typeof (trip as { at?: unknown }).at === 'number',
    );
  } catch {
    return [];
  }
}

// Entra's `login_hint` claim (an optional claim made for this), else the username: the provider
// then goes on with the signed-in account instead of asking which one.
function loginHintOf(claims: Readonly<Record<string, unknown>>): string | undefined {
  for (const name of ['login_hint', 'preferred_username']) {
    const value = claims[name];
    if (typeof value === 'string' && value !== '' && value.length <= 256) return value;
  }
  return undefined;
}
