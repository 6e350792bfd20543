import { renderPage, SignInLink, SignOutButton, type PageContext } from './layout.js';

/** GET /auth/sign_out: a page whose button signs out (sign-out itself is a POST with CSRF). */
export function renderSignOutPage(context: PageContext): string {
  return renderPage(
    'Sign out',
    context,
    <>
      <h1>Sign out?</h1>
      <p>
        This ends your session in this app, then signs you out at your organisation's identity
        provider.
      </p>
      {context.csrfToken !== null && <SignOutButton csrfToken={context.csrfToken} />}
    </>,
  );
}

/** GET /auth/post_sign_out: where the provider sends the browser back after sign-out. */
export function renderSignedOutPage(context: PageContext, providerConfirmed: boolean): string {
  return renderPage(
    'Signed out',
    context,
    <>
      <h1>You're signed out.</h1>
      <p>
        {providerConfirmed
          ? 'Your session in this app has ended, and the identity provider confirmed your sign-out there.'
          : 'Your session in this app has ended.'}{' '}
        Close the browser if this is a shared computer.
      </p>
      <p>
        <SignInLink label="Sign in again" />
      </p>
    </>,
  );
}
