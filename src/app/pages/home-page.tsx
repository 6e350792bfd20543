import { renderPage, SignInLink, type PageContext } from './layout.js';

/** The sign-in status page. */
export function renderHomePage(context: PageContext): string {
  const signedIn = context.userName !== null;
  return renderPage(
    'Home',
    context,
    signedIn ? (
      <>
        <h1>You're signed in, {context.userName}!</h1>
        <p>Your session is kept on the server; your browser holds only an opaque session id.</p>
        <p>
          <a class="button" href="/token_details">
            ID token details
          </a>{' '}
          {context.graph && (
            <a class="button button-secondary" href="/profile">
              Your profile (Microsoft Graph)
            </a>
          )}
        </p>
      </>
    ) : (
      <>
        <h1>You're not signed in.</h1>
        <p>Sign in with your work account to see the claims of your ID token.</p>
        <p>
          <SignInLink />
        </p>
      </>
    ),
  );
}
