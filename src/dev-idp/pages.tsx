import { renderToString } from 'preact-render-to-string';
import type { ComponentChildren } from 'preact';
import type { DevAccount } from './accounts.js';
import { DEMO_PASSWORD } from './accounts.js';

const style = `
body{font-family:system-ui,sans-serif;margin:0;background:#f3f2f1;color:#201f1e}
.banner{background:#a4262c;color:#fff;padding:.6rem 1rem;font-weight:600;text-align:center}
main{max-width:26rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:4px;box-shadow:0 2px 6px rgba(0,0,0,.15)}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1rem;padding:.55rem 1.2rem;font-size:1rem;border:0;border-radius:2px;background:#0067b8;color:#fff;cursor:pointer}
button.secondary{background:#e1dfdd;color:#201f1e;margin-left:.5rem}
.error{background:#fde7e9;border-left:4px solid #a4262c;padding:.5rem .8rem}
table{border-collapse:collapse;font-size:.9rem}td,th{padding:.2rem .6rem .2rem 0;text-align:left}
@media (prefers-color-scheme:dark){body{background:#1b1a19;color:#f3f2f1}main{background:#252423}button.secondary{background:#3b3a39;color:#f3f2f1}.error{background:#442726}}
`;

function Page(props: { title: string; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Development identity provider`}</title>
        <style dangerouslySetInnerHTML={{ __html: style }} />
      </head>
      <body>
        <div class="banner" role="note">
          Development identity provider: for trying entra-signin locally, never for production
        </div>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

function html(node: preact.VNode): string {
  return `<!DOCTYPE html>${renderToString(node)}`;
}

/** The way out of an interaction: oidc-provider's abort, which answers `access_denied`. */
function CancelForm(props: { action: string }) {
  return (
    <form method="post" action={props.action}>
      <button type="submit" class="secondary">
        Cancel
      </button>
    </form>
  );
}

/** The sign-in form, listing the accounts one may use. */
export function renderLoginPage(options: {
  action: string;
  abortAction: string;
  accounts: readonly DevAccount[];
  clientId: string;
  username?: string;
  error?: string;
}): string {
  return html(
    <Page title="Sign in">
      <h1>Sign in</h1>
      <p>
        to <strong>{options.clientId}</strong>
      </p>
      {options.error !== undefined && (
        <p class="error" role="alert">
          {options.error}
        </p>
      )}
      <form method="post" action={options.action}>
        <label for="username">Username</label>
        <input
          id="username"
          name="username"
          type="email"
          autocomplete="username"
          required
          autofocus
          value={options.username ?? ''}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
        />
        <button type="submit">Sign in</button>
      </form>
      <CancelForm action={options.abortAction} />
      <h2>Demo accounts</h2>
      <table>
        <thead>
          <tr>
            <th>Username</th>
            <th>Name</th>
          </tr>
        </thead>
        <tbody>
          {options.accounts.map((a) => (
            <tr key={a.username}>
              <td>{a.username}</td>
              <td>{a.name}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        The demo accounts' password is <code>{DEMO_PASSWORD}</code>.
      </p>
    </Page>,
  );
}

/**
 * The consent page, as Entra's incremental consent: the app, the person, what the app asks to do
 * that they have not yet agreed to, Accept and Cancel.
 */
export function renderConsentPage(options: {
  action: string;
  abortAction: string;
  appName: string;
  clientId: string;
  username: string;
  permissions: readonly { scope: string; description: string }[];
}): string {
  return html(
    <Page title="Permissions requested">
      <h1>Permissions requested</h1>
      <p>
        Signed in as <strong>{options.username}</strong>
      </p>
      <h2 id="asks">{options.appName} wants to:</h2>
      <ul aria-labelledby="asks">
        {options.permissions.map((p) => (
          <li key={p.scope}>
            {p.description} (<code>{p.scope}</code>)
          </li>
        ))}
      </ul>
      <p>
        Accepting lets <strong>{options.appName}</strong> (client id <code>{options.clientId}</code>
        ) do this on your behalf, at the development Graph fake of this provider.
      </p>
      <form method="post" action={options.action}>
        <button type="submit" autofocus>
          Accept
        </button>
      </form>
      <CancelForm action={options.abortAction} />
    </Page>,
  );
}

/** The sign-out confirmation; `form` is oidc-provider's hidden form, with its CSRF field. */
export function renderLogoutPage(form: string, host: string): string {
  return html(
    <Page title="Sign out">
      <h1>Sign out?</h1>
      <p>Sign out of the development identity provider at {host}?</p>
      <div dangerouslySetInnerHTML={{ __html: form }} />
      <button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>
        Yes, sign me out
      </button>
      <button type="submit" form="op.logoutForm" class="secondary">
        No, stay signed in
      </button>
    </Page>,
  );
}

/** The page shown after a sign-out that named no place to return to. */
export function renderLoggedOutPage(): string {
  return html(
    <Page title="Signed out">
      <h1>Signed out</h1>
      <p>You are signed out of the development identity provider.</p>
    </Page>,
  );
}

/** The provider's error page. */
export function renderErrorPage(error: string, description: string | undefined): string {
  return html(
    <Page title="Error">
      <h1>Something went wrong</h1>
      <p class="error" role="alert">
        <code>{error}</code>
        {description !== undefined && <>: {description}</>}
      </p>
    </Page>,
  );
}
