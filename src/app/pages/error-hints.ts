/**
 * What the app's pages tell a person about each error: what to do next, naming the settings
 * to check. The library's catalogue (`src/core/errors.ts`) has codes, statuses and titles only.
 */
import type { ErrorCode } from '../../core/errors.js';

/** The hint shown under an error's title. */
export const errorHints: Readonly<Record<ErrorCode, string>> = {
  CONFIG_INVALID:
    'Fix the settings named in the message (environment variables or .env) and start the app again.',
  AUTH_ATTEMPT_NOT_FOUND:
    'The sign-in answer does not match a sign-in started in this browser: it may have been opened in another browser, replayed, or forged. Start again from the sign-in button.',
  AUTH_ATTEMPT_EXPIRED:
    'The sign-in page stayed open longer than we wait for it. Start again from the sign-in button.',
  AUTH_CANCELLED:
    'You (or your organisation) declined the sign-in. Sign in again when you are ready.',
  AUTH_PROVIDER_ERROR:
    'Look up the error code below; the most common causes are listed in the README under Troubleshooting. Then try signing in again.',
  AUTH_CALLBACK_INVALID:
    'The address this page was opened with is not a complete sign-in answer. Start again from the sign-in button.',
  AUTH_CODE_REJECTED:
    'The code may have been used already or expired, or the client credentials are wrong. Try signing in again; if it keeps failing, check CLIENT_ID and CLIENT_SECRET.',
  AUTH_CLIENT_REJECTED:
    'The provider did not accept CLIENT_ID with these credentials, sent by the client authentication method named below. Check CLIENT_ID and CLIENT_SECRET (the secret value, not its id); if the client is registered for one method only, set CLIENT_AUTH_METHOD to it.',
  AUTH_TOKEN_INVALID:
    'The ID token failed validation (issuer, audience, signature, nonce or lifetime). Check the clock of this server and the AUTHORITY setting, then try again.',
  AUTH_PROVIDER_UNREACHABLE:
    'We could not talk to the identity provider. Check the AUTHORITY setting and the network; after a failure the app waits 5 seconds before asking the provider again, so try again in a moment.',
  AUTH_ISSUER_MISMATCH:
    'The answer names an issuer other than the one this app signs in with, which is how mix-up attacks look. Start again from the sign-in button.',
  AUTH_TENANT_NOT_ALLOWED:
    'This app lets in only the organisations it was set up for, and yours is not one of them. Sign in with an account of one of those organisations, or ask the people who run this app.',
  AUTH_DISCOVERY_INVALID:
    "The provider's discovery document names another issuer than the one configured, or lacks what sign-in needs. Check the AUTHORITY (or TENANT_ID) setting.",
  CLIENT_ASSERTION_UNAVAILABLE:
    'The app signs in to the identity provider with a token from its platform (a workload identity token file, or a managed identity), and it could not get one. Nothing is wrong with your account; try again in a moment. The log line with the correlation id below says why.',
  LOGOUT_REQUEST_INVALID:
    'A front-channel sign-out request needs the sid of the provider session (and, if it names an issuer, this app’s). Nothing was signed out.',
  LOGOUT_TOKEN_INVALID:
    'A back-channel logout token failed validation (signature, issuer, audience, age, events, type, nonce, sid or sub). Nothing was signed out.',
  LOGOUT_TOKEN_REPLAYED:
    'A back-channel logout token is good once; this one (its jti) was seen before. Nothing more was signed out.',
  CSRF_TOKEN_INVALID:
    'The form was not sent from this app or was open too long. Go back, reload the page and try again.',
  REQUEST_CROSS_SITE:
    'Signing out (and every other change) must be asked for from a page of this app. Nothing was changed; use the button on this app’s page.',
  NOT_SIGNED_IN: 'This page shows information from your account. Sign in to see it.',
  ACCESS_DENIED:
    'You are signed in, but this page is for people with what is named below (an app role, or membership of a group). Ask the people who run this app to assign it to you (Entra admin center: Enterprise applications, this app, Users and groups), or sign in as someone else.',
  GROUPS_UNAVAILABLE:
    'You are in more groups than a sign-in token can list, so the app asks Microsoft Graph, and Graph did not answer. You are still signed in; try again in a moment.',
  API_INTERACTION_REQUIRED:
    'This page calls a service on your behalf, and the identity provider needs you to confirm first (a permission, or another sign-in step). Continue to the identity provider; you will come back here.',
  API_CHALLENGE_UNMET:
    'You went through the identity provider, and it still did not grant what this page needs (named below). Ask the people who run your organisation’s Entra tenant about the policy or permission, or sign in as someone else.',
  API_SIGN_IN_AGAIN:
    'Your sign-in can no longer be used to call services for you: it was revoked, expired, or your password changed. Sign in again; you will come back to this page.',
  API_TOKEN_UNAVAILABLE:
    'The identity provider did not answer when we asked it for access on your behalf. You are still signed in; try again in a moment.',
  API_UNREACHABLE:
    'A service this page reads from (such as Microsoft Graph) did not answer or failed. You are still signed in; try again in a moment.',
  SESSION_STORE_UNAVAILABLE: 'The app cannot reach its session store. Try again in a moment.',
  BAD_REQUEST: 'The address or form could not be read. Check it or go back to the home page.',
  NOT_FOUND: 'There is no page at this address. Go back to the home page.',
  INTERNAL:
    'The error was logged with the correlation id below. Try again; if it persists, give the id to the people who run this app.',
};
