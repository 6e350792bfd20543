/**
 * The development identity provider's interaction pages at `/interaction/{uid}`: the sign-in
 * form (oidc-provider's `login` prompt) and the consent page (its `consent` prompt), each with
 * Cancel, which ends the authorization with `access_denied` as Entra does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { findAccountByCredentials, type DevAccount } from './accounts.js';
import { describeScope } from './graph-resource.js';
import { readBody, sendHtml } from './http-replies.js';
import { renderConsentPage, renderErrorPage, renderLoginPage } from './pages.js';

/** What the interaction pages need to know. */
export interface InteractionContext {
  readonly accounts: readonly DevAccount[];
  readonly clientId: string;
  readonly clientName: string;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/** The interaction routes: `GET /interaction/{uid}`, `POST …/login`, `…/consent`, `…/abort`. */
export const INTERACTION_PATH = /^\/interaction\/([\w-]+)(?:\/(login|consent|abort))?$/;

/** Answers an interaction route; `action` is its last segment, if any. */
export async function handleInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  context: InteractionContext,
  action: string | undefined,
): Promise<void> {
  let details: Details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    sendHtml(
      res,
      400,
      renderErrorPage(
        'interaction_expired',
        'This sign-in page has expired. Go back to the app and sign in again.',
      ),
    );
    return;
  }
  const consenting = details.prompt.name === 'consent';
  if (req.method === 'GET' && action === undefined) {
    if (!consenting) {
      sendHtml(res, 200, renderLoginPage(loginPage(details, context)));
      return;
    }
    // Consent asked only so that offline_access is kept (grants.ts): nothing to show.
    if (missingScopesOf(details).length === 0) {
      await finishConsent(provider, req, res, details);
      return;
    }
    sendHtml(res, 200, renderConsentPage(consentPage(details, context)));
    return;
  }
  if (req.method !== 'POST') {
    sendHtml(res, 405, renderErrorPage('method_not_allowed', 'Use the form on the sign-in page.'));
    return;
  }
  if (action === 'abort') {
    await provider.interactionFinished(
      req,
      res,
      consenting
        ? // Entra's answer when the person declines the consent page.
          {
            error: 'access_denied',
            error_description: 'AADSTS65004: User declined to consent to access the app.',
          }
        : { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  if (action === 'consent' && consenting) {
    await finishConsent(provider, req, res, details);
    return;
  }
  if (action === 'login' && !consenting) {
    await finishLogin(provider, req, res, details, context);
    return;
  }
  sendHtml(res, 400, renderErrorPage('wrong_step', 'Go back to the app and sign in again.'));
}

async function finishLogin(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  details: Details,
  context: InteractionContext,
): Promise<void> {
  const form = new URLSearchParams(await readBody(req));
  const username = form.get('username') ?? '';
  const account = findAccountByCredentials(context.accounts, username, form.get('password') ?? '');
  if (!account) {
    sendHtml(
      res,
      200,
      renderLoginPage({
        ...loginPage(details, context),
        username,
        error: 'That username and password do not match an account.',
      }),
    );
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: account.oid } },
    { mergeWithLastSubmission: false },
  );
}

// Adds what the page showed to the person's grant (or to a new one), then resumes; with nothing
// to add, the grant loader (grants.ts) finds the session's grant as before.
async function finishConsent(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  details: Details,
): Promise<void> {
  const { missingOIDCScope, missingResourceScopes } = promptDetailsOf(details);
  if (missingScopesOf(details).length === 0) {
    await provider.interactionFinished(
      req,
      res,
      { consent: {} },
      { mergeWithLastSubmission: true },
    );
    return;
  }
  const existing =
    details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId);
  const grant =
    existing ??
    new provider.Grant({
      accountId: details.session?.accountId ?? '',
      clientId: String(details.params['client_id']),
    });
  if (missingOIDCScope.length > 0) grant.addOIDCScope(missingOIDCScope);
  for (const [resource, scopes] of Object.entries(missingResourceScopes)) {
    grant.addResourceScope(resource, scopes);
  }
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { consent: { grantId } },
    { mergeWithLastSubmission: true },
  );
}

function loginPage(details: Details, context: InteractionContext) {
  return {
    action: `/interaction/${details.uid}/login`,
    abortAction: `/interaction/${details.uid}/abort`,
    accounts: context.accounts,
    clientId: clientIdOf(details, context),
  };
}

function consentPage(details: Details, context: InteractionContext) {
  const accountId = details.session?.accountId;
  const account = context.accounts.find((a) => a.oid === accountId);
  return {
    action: `/interaction/${details.uid}/consent`,
    abortAction: `/interaction/${details.uid}/abort`,
    appName: context.clientName,
    clientId: clientIdOf(details, context),
    username: account?.username ?? accountId ?? '',
    permissions: missingScopesOf(details).map((scope) => ({
      scope,
      description: describeScope(scope),
    })),
  };
}

function clientIdOf(details: Details, context: InteractionContext): string {
  const clientId = details.params['client_id'];
  return typeof clientId === 'string' ? clientId : context.clientId;
}

// What oidc-provider's consent checks found the grant lacks, as lists of scope names.
function promptDetailsOf(details: Details): {
  missingOIDCScope: string[];
  missingResourceScopes: Record<string, string[]>;
} {
  const { missingOIDCScope, missingResourceScopes } = details.prompt.details as {
    missingOIDCScope?: unknown;
    missingResourceScopes?: unknown;
  };
  const resources: Record<string, string[]> = {};
  if (typeof missingResourceScopes === 'object' && missingResourceScopes !== null) {
    for (const [resource, scopes] of Object.entries(missingResourceScopes)) {
      if (Array.isArray(scopes)) resources[resource] = scopes.map(String);
    }
  }
  return {
    missingOIDCScope: Array.isArray(missingOIDCScope) ? missingOIDCScope.map(String) : [],
    missingResourceScopes: resources,
  };
}

function missingScopesOf(details: Details): string[] {
  const { missingOIDCScope, missingResourceScopes } = promptDetailsOf(details);
  return [...new Set([...missingOIDCScope, ...Object.values(missingResourceScopes).flat()])];
}
