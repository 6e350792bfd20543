/**
 * The error catalogue: every failure the library can report has a code here, with its HTTP
 * status and a one-line title. What to tell a person beyond that is the host app's to word (the
 * app's hints are in `src/app/pages/error-hints.ts`). `docs/errors.md` documents each code and a
 * test checks that the two agree.
 */

interface CatalogueEntry {
  readonly status: number;
  readonly title: string;
}

const catalogue = {
  CONFIG_INVALID: {
    status: 500,
    title: 'The app is not configured correctly',
  },
  AUTH_ATTEMPT_NOT_FOUND: {
    status: 400,
    title: 'This sign-in is not one we started',
  },
  AUTH_ATTEMPT_EXPIRED: {
    status: 400,
    title: 'The sign-in took too long',
  },
  AUTH_CANCELLED: {
    status: 400,
    title: 'Sign-in was cancelled',
  },
  AUTH_PROVIDER_ERROR: {
    status: 400,
    title: 'The identity provider refused the sign-in',
  },
  AUTH_CALLBACK_INVALID: {
    status: 400,
    title: 'The sign-in answer is malformed',
  },
  AUTH_CODE_REJECTED: {
    status: 400,
    title: 'The identity provider did not accept the sign-in code',
  },
  AUTH_CLIENT_REJECTED: {
    status: 502,
    title: "The identity provider refused this app's client credentials",
  },
  AUTH_TOKEN_INVALID: {
    status: 400,
    title: 'The identity provider sent a token we cannot trust',
  },
  AUTH_PROVIDER_UNREACHABLE: {
    status: 502,
    title: 'The identity provider cannot be reached',
  },
  AUTH_ISSUER_MISMATCH: {
    status: 400,
    title: 'The sign-in answer came from another identity provider',
  },
  AUTH_TENANT_NOT_ALLOWED: {
    status: 403,
    title: 'Your organisation may not sign in here',
  },
  AUTH_DISCOVERY_INVALID: {
    status: 502,
    title: 'The identity provider describes itself wrongly',
  },
  CLIENT_ASSERTION_UNAVAILABLE: {
    status: 503,
    title: 'The app cannot prove who it is to the identity provider right now',
  },
  LOGOUT_REQUEST_INVALID: {
    status: 400,
    title: 'The sign-out request is malformed',
  },
  LOGOUT_TOKEN_INVALID: {
    status: 400,
    title: 'The logout token cannot be trusted',
  },
  LOGOUT_TOKEN_REPLAYED: {
    status: 400,
    title: 'The logout token was used already',
  },
  CSRF_TOKEN_INVALID: {
    status: 403,
    title: 'This form has expired',
  },
  REQUEST_CROSS_SITE: {
    status: 403,
    title: 'This request came from another site',
  },
  NOT_SIGNED_IN: {
    status: 401,
    title: 'You need to sign in',
  },
  ACCESS_DENIED: {
    status: 403,
    title: 'You may not open this page',
  },
  GROUPS_UNAVAILABLE: {
    status: 503,
    title: 'Your group memberships cannot be read right now',
  },
  API_INTERACTION_REQUIRED: {
    status: 401,
    title: 'The identity provider needs to see you again for this page',
  },
  API_CHALLENGE_UNMET: {
    status: 403,
    title: 'Your organisation asks for more than this sign-in gave',
  },
  API_SIGN_IN_AGAIN: {
    status: 401,
    title: 'Please sign in again',
  },
  API_TOKEN_UNAVAILABLE: {
    status: 503,
    title: 'The identity provider cannot give this page access right now',
  },
  API_UNREACHABLE: {
    status: 502,
    title: 'A service this page needs did not answer',
  },
  SESSION_STORE_UNAVAILABLE: {
    status: 503,
    title: 'Sessions are unavailable right now',
  },
  BAD_REQUEST: {
    status: 400,
    title: 'The request is malformed',
  },
  NOT_FOUND: {
    status: 404,
    title: 'Page not found',
  },
  INTERNAL: {
    status: 500,
    title: 'Something went wrong on our side',
  },
} as const satisfies Record<string, CatalogueEntry>;

/** Every error code the app reports. */
export type ErrorCode = keyof typeof catalogue;

/** The codes, in catalogue order. */
export const errorCodes = Object.freeze(Object.keys(catalogue) as ErrorCode[]);

/** Looks up a code's status and title. */
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
  /** Facts safe to log and to show (an HTTP status, the client authentication method used). */
  facts?: Readonly<Record<string, string | number>> | undefined;
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
  readonly facts: Readonly<Record<string, string | number>> | undefined;

  constructor(code: ErrorCode, message?: string, options: AppErrorOptions = {}) {
    super(message ?? describeError(code).title, { cause: options.cause });
    this.code = code;
    this.status = describeError(code).status;
    this.providerCode = options.providerCode;
    this.providerDescription = options.providerDescription;
    this.facts = options.facts;
  }

  /** The catalogue's title for this error's code. */
  get title(): string {
    return describeError(this.code).title;
  }
}

/** Narrows an unknown thrown value to an AppError. */
export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
