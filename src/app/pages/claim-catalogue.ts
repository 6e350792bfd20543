/** How the claims page groups and explains the claims it knows. */
export type ClaimGroup = 'identity' | 'directory' | 'token' | 'other';

interface KnownClaim {
  readonly group: ClaimGroup;
  readonly label: string;
  readonly meaning: string;
  /** An identifier people copy into tickets and admin portals. */
  readonly copyable?: boolean;
}

/** The claims of Entra's v2.0 ID token and OpenID Connect Core §2 and §5.1, in display order. */
const known: Record<string, KnownClaim> = {
  name: { group: 'identity', label: 'Name', meaning: 'Your display name.' },
  preferred_username: {
    group: 'identity',
    label: 'Username',
    meaning: 'The name you sign in with. It can change, so apps must not key anything on it.',
  },
  email: {
    group: 'identity',
    label: 'Email',
    meaning: 'Your email address, when the directory has one.',
  },
  login_hint: {
    group: 'identity',
    label: 'Login hint',
    meaning:
      'An opaque hint the app sends when signing you out, so you are not asked which account.',
  },
  oid: {
    group: 'directory',
    label: 'Object id',
    meaning:
      'Your id in the directory: the same in every app of the organisation, and never reused.',
    copyable: true,
  },
  tid: {
    group: 'directory',
    label: 'Tenant id',
    meaning: 'The id of the organisation (tenant) you signed in to.',
    copyable: true,
  },
  sub: {
    group: 'directory',
    label: 'Subject',
    meaning: 'Your id for this app alone: another app sees a different value.',
    copyable: true,
  },
  roles: { group: 'directory', label: 'App roles', meaning: 'Roles this app gave you.' },
  groups: { group: 'directory', label: 'Groups', meaning: 'Groups you belong to.' },
  iss: {
    group: 'token',
    label: 'Issuer',
    meaning: 'Who issued the token: your organisation at the identity provider.',
  },
  aud: {
    group: 'token',
    label: 'Audience',
    meaning: 'Who the token is for: this app’s client id.',
    copyable: true,
  },
  azp: { group: 'token', label: 'Authorized party', meaning: 'The app the token was issued to.' },
  iat: { group: 'token', label: 'Issued at', meaning: 'When the token was issued.' },
  nbf: { group: 'token', label: 'Not before', meaning: 'The token is not valid before this time.' },
  exp: {
    group: 'token',
    label: 'Expires',
    meaning: 'When the token expires. Your session here lasts on its own terms.',
  },
  auth_time: {
    group: 'token',
    label: 'Authenticated',
    meaning: 'When you last entered your credentials.',
  },
  nonce: {
    group: 'token',
    label: 'Nonce',
    meaning: 'A one-time value that ties the token to this sign-in, so it cannot be replayed.',
  },
  sid: {
    group: 'token',
    label: 'Session id',
    meaning: 'Your sign-in session at the identity provider; used to sign you out everywhere.',
  },
  ver: { group: 'token', label: 'Version', meaning: 'The version of the token format.' },
  uti: { group: 'token', label: 'Token id', meaning: 'An internal id of the token.' },
  rh: {
    group: 'token',
    label: 'Refresh hint',
    meaning: 'An internal value the identity provider uses.',
  },
};

/** Claims that hold seconds since the epoch (OpenID Connect Core §2). */
export const timeClaims: ReadonlySet<string> = new Set(['iat', 'exp', 'nbf', 'auth_time']);

// What holds for Entra's tokens only: its `sub` is pairwise (one per app); another provider's may
// be the same for every app.
const genericMeanings: Readonly<Record<string, string>> = {
  sub: 'Your id at the identity provider.',
};

/**
 * Display metadata for a claim; unknown claims go to "other" under their own name. Looked up by
 * own keys only: a claim named `constructor` or `toString` is a claim like any other.
 */
export function describeClaim(name: string, entra = true): KnownClaim {
  const claim = Object.hasOwn(known, name) ? known[name] : undefined;
  if (claim === undefined) return { group: 'other', label: name, meaning: '' };
  const generic = Object.hasOwn(genericMeanings, name) ? genericMeanings[name] : undefined;
  return !entra && generic !== undefined ? { ...claim, meaning: generic } : claim;
}

/** The position of a claim in the page: known claims in catalogue order, then others by name. */
export function claimOrder(name: string): number {
  const index = Object.hasOwn(known, name) ? Object.keys(known).indexOf(name) : -1;
  return index === -1 ? Number.MAX_SAFE_INTEGER : index;
}
