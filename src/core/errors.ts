/**
 * The error catalogue: every failure the app can report has a code here, with its HTTP status,
 * a title and a hint that tells the person what to do. `docs/errors.md` documents each code and
 * a test checks that the two agree.
 */

interface CatalogueEntry {
  readonly status: number;
  readonly title: string;
  readonly hint: string;
}

const catalogue = {
  CONFIG_INVALID: {
    status: 500,
    title: 'The app is not configured correctly',
    hint: 'Fix the settings named in the message (environment variables or .env) and start the app again.',
  },
  AUTH_ATTEMPT_NOT_FOUND: {
    status: 400,
    title: 'This sign-in is not one we started',
    hint: 'The sign-in answer does not match a sign-in started in this browser: it may have been opened in another browser, replayed, or forged. Start again from the sign-in button.',
  },
  AUTH_ATTEMPT_EXPIRED: {
    status: 400,
    title: 'The sign-in took too long',
    hint: 'The sign-in page stayed open longer than we wait for it. Start again from the sign-in button.',
  },
  AUTH_CANCELLED: {
    status: 400,
    title: 'Sign-in was cancelled',
    hint: 'You (or your organisation) declined the sign-in. Sign in again when you are ready.',
  },
  AUTH_PROVIDER_ERROR: {
    status: 400,
    title: 'The identity provider refused the sign-in',
    hint: 'Look up the error code below; the most common causes are listed in the README under Troubleshooting. Then try signing in again.',
  },
  AUTH_CALLBACK_INVALID: {
    status: 400,
    title: 'The sign-in answer is malformed',
    hint: 'The address this page was opened with is not a complete sign-in answer. Start again from the sign-in button.',
  },
  AUTH_CODE_REJECTED: {
    status: 400,
    title: 'The identity provider did not accept the sign-in code',
    hint: 'The code may have been used already or expired, or the client credentials are wrong. Try signing in again; if it keeps failing, check CLIENT_ID and CLIENT_SECRET.',
  },
  AUTH_TOKEN_INVALID: {
    status: 400,
    title: 'The identity provider sent a token we cannot trust',
    hint: 'The ID token failed validation (issuer, audience, signature, nonce or lifetime). Check the clock of this server and the AUTHORITY setting, then try again.',
  },
  AUTH_PROVIDER_UNREACHABLE: {
    status: 502,
    title: 'The identity provider cannot be reached',
    hint: 'We could not talk to the identity provider. Check the AUTHORITY setting and the network, then try again in a moment.',
  },
  AUTH_ISSUER_MISMATCH: {
    status: 400,
    title: 'The sign-in answer came from another identity provider',
    hint: 'The answer names an issuer other than the one this app signs in with, which is how mix-up attacks look. Start again from the sign-in button.',
  },
  AUTH_TENANT_NOT_ALLOWED: {
    status: 403,
    title: 'Your organisation may not sign in here',
    hint: 'This app lets in only the organisations it was set up for, and yours is not one of them. Sign in with an account of one of those organisations, or ask the people who run this app.',
  },
  AUTH_DISCOVERY_INVALID: {
    status: 502,
    title: 'The identity provider describes itself wrongly',
    hint: "The provider's discovery document names another issuer than the one configured, or lacks what sign-in needs. Check the AUTHORITY (or TENANT_ID) setting.",
  },
  LOGOUT_REQUEST_INVALID: {
    status: 400,
    title: 'The sign-out request is malformed',
    hint: 'A front-channel sign-out request needs the sid of the provider session (and, if it names an issuer, this app’s). Nothing was signed out.',
  },
  LOGOUT_TOKEN_INVALID: {
    status: 400,
    title: 'The logout token cannot be trusted',
    hint: 'A back-channel logout token failed validation (signature, issuer, audience, age, events, type, nonce, sid or sub). Nothing was signed out.',
  },
  LOGOUT_TOKEN_REPLAYED: {
    status: 400,
    title: 'The logout token was used already',
    hint: 'A back-channel logout token is good once; this one (its jti) was seen before. Nothing more was signed out.',
  },
  CSRF_TOKEN_INVALID: {
    status: 403,
    title: 'This form has expired',
    hint: 'The form was not sent from this app or was open too long. Go back, reload the page and try again.',
  },
  NOT_SIGNED_IN: {
    status: 401,
    title: 'You need to sign in',
    hint: 'This page shows information from your account. Sign in to see it.',
  },
  SESSION_STORE_UNAVAILABLE: {
    status: 503,
    title: 'Sessions are unavailable right now',
    hint: 'The app cannot reach its session store. Try again in a moment.',
  },
  BAD_REQUEST: {
    status: 400,
    title: 'The request is malformed',
    hint: 'The address or form could not be read. Check it or go back to the home page.',
  },
  NOT_FOUND: {
    status: 404,
    title: 'Page not found',
    hint: 'There is no page at this address. Go back to the home page.',
  },
  INTERNAL: {
    status: 500,
    title: 'Something went wrong on our side',
    hint: 'The error was logged with the correlation id below. Try again; if it persists, give the id to the people who run this app.',
  },
} as const satisfies Record<string, CatalogueEntry>;

/** Every error code the app reports. */
export type ErrorCode = keyof typeof catalogue;

/** The codes, in catalogue order. */
export const errorCodes = Object.freeze(Object.keys(catalogue) as ErrorCode[]);

/** Looks up a code's status, title and hint. */
export function describeError(code: ErrorCode): CatalogueEntry {
  return catalogue[code];
}

interface AppErrorOptions {
  /** The underlying error, kept for the log; never shown to the person. */
  cause?: unknown;
  /** The identity provider's error code (`access_denied`, `AADSTS50011`, …), safe to show. */
  providerCode?: string | undefined;
  /** The identity provider's own explanation, shown escaped and truncated. */
  providerDescription?: string | undefined;
}

/**
 * The one error family of the app. `message` is for logs and is never built from tokens, codes,
 * cookies or secrets; what the person sees comes from the catalogue.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly providerCode: string | undefined;
  readonly providerDescription: string | undefined;

  constructor(code: ErrorCode, message?: string, options: AppErrorOptions = {}) {
    super(message ?? describeError(code).title, { cause: options.cause });
    this.code = code;
    this.status = describeError(code).status;
    this.providerCode = options.providerCode;
    this.providerDescription = options.providerDescription;
  }

  /** The catalogue's title and hint for this error's code. */
  get title(): string {
    return describeError(this.code).title;
  }

  get hint(): string {
    return describeError(this.code).hint;
  }
}

/** Narrows an unknown thrown value to an AppError. */
export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
