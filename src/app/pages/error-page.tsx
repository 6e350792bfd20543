import type { AppError } from '../../core/errors.js';
import { errorHints } from './error-hints.js';
import { hintForEntraError } from '../../core/entra/entra-error.js';
import { renderPage, SignInLink, type PageContext } from './layout.js';

const MAX_DESCRIPTION = 300;

/** What the error page needs beyond the error itself. */
export interface ErrorPageOptions {
  readonly correlationId: string;
  /** Where a "sign in" button should come back to (the 401 page). */
  readonly returnTo: string;
}

/** The page for every error: what happened, what to do, and the ids to quote. */
export function renderErrorPage(
  context: PageContext,
  error: AppError,
  options: ErrorPageOptions,
): string {
  const providerHint = hintForEntraError(error.providerCode);
  const description = truncate(error.providerDescription);
  const offerSignIn =
    error.code.startsWith('AUTH_') ||
    error.code === 'NOT_SIGNED_IN' ||
    error.code === 'API_SIGN_IN_AGAIN' ||
    error.code === 'API_INTERACTION_REQUIRED';
  const offerRetry =
    error.code === 'API_TOKEN_UNAVAILABLE' ||
    error.code === 'API_UNREACHABLE' ||
    error.code === 'GROUPS_UNAVAILABLE';
  const asked = error.facts?.['asked'] ?? error.facts?.['scopes'];
  return renderPage(
    error.title,
    context,
    <>
      <h1>{error.title}</h1>
      <p class="hint">{errorHints[error.code]}</p>
      {error.facts?.['clientAuthMethod'] !== undefined && (
        <p>
          Client authentication method used: <code>{error.facts['clientAuthMethod']}</code>
          {error.facts['tokenEndpointStatus'] !== undefined &&
            ` (the token endpoint answered HTTP ${error.facts['tokenEndpointStatus']})`}
        </p>
      )}
      {error.code === 'ACCESS_DENIED' && (
        <p>
          Signed in as <strong>{context.userName ?? 'someone'}</strong>
          {context.username !== null &&
            context.username !== context.userName &&
            ` (${context.username})`}
          ; missing: <strong>{String(error.facts?.['missing'] ?? 'what this page needs')}</strong>.
        </p>
      )}
      {error.code === 'API_CHALLENGE_UNMET' && asked !== undefined && asked !== '' && (
        <p>
          What was asked for: <code>{asked}</code>
        </p>
      )}
      {error.providerCode !== undefined && (
        <section class="provider-error" aria-label="What the identity provider said">
          <p>
            Identity provider error: <code>{error.providerCode}</code>
          </p>
          {providerHint !== undefined && <p>{providerHint}</p>}
          {description !== undefined && <p class="provider-description">{description}</p>}
        </section>
      )}
      <p class="actions">
        {offerSignIn && (
          <SignInLink
            returnTo={options.returnTo}
            label={
              error.code === 'NOT_SIGNED_IN' || error.code === 'API_SIGN_IN_AGAIN'
                ? 'Sign in'
                : 'Try signing in again'
            }
          />
        )}
        {offerRetry && (
          <a class="button" href={options.returnTo}>
            Try again
          </a>
        )}
        {(error.code === 'API_CHALLENGE_UNMET' || error.code === 'ACCESS_DENIED') && (
          <SignInLink returnTo={options.returnTo} label="Sign in as someone else" anotherAccount />
        )}{' '}
        <a href="/">Home page</a>
      </p>
      <p class="ids">
        Error code: <code>{error.code}</code> · Status: {error.status} · Correlation id:{' '}
        <code>{options.correlationId}</code>
      </p>
    </>,
  );
}

function truncate(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION)}…` : text;
}
