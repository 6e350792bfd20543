import { renderPage, type PageContext } from './layout.js';

// Claims that hold seconds since the epoch (OpenID Connect Core §2).
const timeClaims = new Set(['iat', 'exp', 'nbf', 'auth_time']);

const descriptions: Record<string, string> = {
  name: 'Your display name',
  preferred_username: 'The name you sign in with',
  email: 'Your email address',
  oid: 'Your object id in the directory: the same in every app of the tenant',
  tid: 'The id of the tenant (organisation) you signed in to',
  sub: 'Your id for this app: unique per app',
  iss: 'Who issued the token',
  aud: 'Who the token is for: this app’s client id',
  iat: 'When the token was issued',
  exp: 'When the token expires',
  nbf: 'The token is not valid before this',
  auth_time: 'When you last entered your credentials',
  nonce: 'A one-time value that ties the token to this sign-in',
  ver: 'The version of the token format',
  sid: 'Your sign-in session at the provider',
};

/** Formats a claim for reading: times as UTC dates, objects as JSON. */
export function formatClaim(name: string, value: unknown): string {
  if (timeClaims.has(name) && typeof value === 'number') {
    return `${new Date(value * 1000)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC')} (${value})`;
  }
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** The ID token's claims as a table. */
export function renderTokenDetailsPage(
  context: PageContext,
  claims: Readonly<Record<string, unknown>>,
): string {
  const names = Object.keys(claims).sort();
  return renderPage(
    'ID token details',
    context,
    <>
      <h1>ID token details</h1>
      <p>The claims the identity provider vouched for when you signed in.</p>
      <table class="claims">
        <thead>
          <tr>
            <th scope="col">Claim</th>
            <th scope="col">Value</th>
            <th scope="col">Meaning</th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => (
            <tr key={name}>
              <th scope="row">
                <code>{name}</code>
              </th>
              <td class="claim-value">{formatClaim(name, claims[name])}</td>
              <td>{descriptions[name] ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a href="/">Back to the home page</a>
      </p>
    </>,
  );
}
