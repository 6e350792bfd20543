import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** What every page knows about the request it answers. */
export interface PageContext {
  /** The signed-in person's display name, or `null`. */
  readonly userName: string | null;
  /** Their sign-in name (`preferred_username`), when signed in and the token has one. */
  readonly username: string | null;
  /** Where "where you're signed in" is, when someone is signed in and the page is on. */
  readonly sessionsPath: string | null;
  /** Whether the signed-in person holds the app role that opens `/admin` (ADMIN_ROLE). */
  readonly isAdmin: boolean;
  /** A CSRF token for the sign-out form, when someone is signed in. */
  readonly csrfToken: string | null;
  /** Set when the app runs against the development identity provider. */
  readonly devMode: boolean;
  /** The redirect URI to register, shown in the footer to people who are not signed in. */
  readonly redirectUri: string;
  /** Whether the provider is Entra ID (or the development one shaped like it): wording follows. */
  readonly entra: boolean;
  /** Whether there is a Graph to read the profile from (API scopes and GRAPH_URL set). */
  readonly graph: boolean;
}

/** The sign-out form: a real button that POSTs with the session's CSRF token. */
export function SignOutButton(props: { csrfToken: string; label?: string }) {
  return (
    <form method="post" action="/auth/sign_out" class="inline-form">
      <input type="hidden" name="csrf_token" value={props.csrfToken} />
      <button type="submit" class="button button-secondary">
        {props.label ?? 'Sign out'}
      </button>
    </form>
  );
}

/** A link that starts sign-in, coming back to `returnTo` when it is not the home page. */
export function SignInLink(props: { returnTo?: string; label?: string; anotherAccount?: boolean }) {
  const query = new URLSearchParams();
  if (props.returnTo !== undefined && props.returnTo !== '/') {
    query.set('post_sign_in_url', props.returnTo);
  }
  if (props.anotherAccount === true) query.set('prompt', 'select_account');
  const href = query.size === 0 ? '/auth/sign_in' : `/auth/sign_in?${query.toString()}`;
  return (
    <a class="button" href={href}>
      {props.label ?? 'Sign in'}
    </a>
  );
}

function Layout(props: { title: string; context: PageContext; children: ComponentChildren }) {
  const { context } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${props.title} · entra-signin`}</title>
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/app.js" defer />
      </head>
      <body>
        {context.devMode && (
          <div class="dev-banner" role="note">
            Development mode: signing in through the built-in development identity provider. Try{' '}
            <strong>alice@contoso.test</strong> with password <strong>Passw0rd!</strong>
          </div>
        )}
        <header class="site-header">
          <a class="brand" href="/">
            entra-signin
          </a>
          {context.userName !== null && (
            <nav class="site-nav" aria-label="Pages">
              <a href="/token_details">Claims</a>
              {context.graph && <a href="/profile">Profile</a>}
              {context.sessionsPath !== null && <a href={context.sessionsPath}>Sessions</a>}
              {context.isAdmin && <a href="/admin">Admin</a>}
            </nav>
          )}
          <nav class="account" aria-label="Account">
            {context.userName !== null && context.csrfToken !== null ? (
              <>
                <span class="greeting">Hello {context.userName}!</span>
                <SignOutButton csrfToken={context.csrfToken} />
              </>
            ) : (
              <SignInLink />
            )}
          </nav>
        </header>
        <main class="card">{props.children}</main>
        <footer class="site-footer">
          {context.userName === null && (
            <p>
              Redirect URI to register{' '}
              {context.entra ? 'in the tenant' : 'at the identity provider'}:{' '}
              <code>{context.redirectUri}</code>
            </p>
          )}
          <p>
            {context.entra
              ? 'entra-signin: OpenID Connect sign-in for Microsoft Entra ID'
              : 'entra-signin: OpenID Connect sign-in'}
          </p>
        </footer>
      </body>
    </html>
  );
}

/** Renders a full page in the common layout; every value is escaped unless marked otherwise. */
export function renderPage(title: string, context: PageContext, body: ComponentChildren): string {
  return `<!DOCTYPE html>${renderToString(
    <Layout title={title} context={context}>
      {body}
    </Layout>,
  )}`;
}
