/**
 * express-openid-connect (auth0's "eoc", v2) side by side with entra-signin (issue 13): an
 * Express 5 app with eoc's `auth()` against the bench's provider, run as its own process. The
 * authorization code flow with PKCE (eoc's choice for `response_type: 'code'`, answered by query)
 * and a client secret; sessions in eoc's default store, the encrypted `appSession` cookie
 * (rolling: every answer sets it anew). Routes: `GET /login` (to the provider, back to the claims
 * page), eoc's `GET /callback`, `GET /token_details` (the ID token's claims as a table; 401
 * signed out) and `GET /` (the home page). Pages are padded to PAGE_BYTES and HOME_BYTES, the
 * sizes of the app's claims and home pages, as bench/baseline-server.ts pads its own.
 *
 * Environment: PORT, BASE_URL, ISSUER, CLIENT_ID, CLIENT_SECRET, SESSION_SECRET, PAGE_BYTES,
 * HOME_BYTES.
 */
import express from 'express';
import { auth } from 'express-openid-connect';

const env = (name: string) => process.env[name] ?? '';
const app = express();
app.use(
  auth({
    issuerBaseURL: env('ISSUER'),
    baseURL: env('BASE_URL'),
    clientID: env('CLIENT_ID'),
    clientSecret: env('CLIENT_SECRET'),
    clientAuthMethod: 'client_secret_post',
    secret: env('SESSION_SECRET'),
    authRequired: false,
    idpLogout: false,
    // eoc's default is `code id_token` by form_post; the provider (like the app) does code + PKCE.
    authorizationParams: { response_type: 'code', scope: 'openid profile email' },
    routes: { login: false },
  }),
);

app.get('/login', (_req, res) => res.oidc.login({ returnTo: '/token_details' }));

app.get('/token_details', (req, res) => {
  // eoc types them with openid-client 4's types, which this project's resolution cannot see.
  const claims: unknown = req.oidc.idTokenClaims;
  if (!req.oidc.isAuthenticated() || typeof claims !== 'object' || claims === null) {
    res.status(401).send('Sign in first');
    return;
  }
  const name = 'name' in claims && typeof claims.name === 'string' ? claims.name : '';
  res.send(padded(page(`ID token of ${name}`, claimsTable(claims)), Number(env('PAGE_BYTES'))));
});

app.get('/', (req, res) => {
  const status = req.oidc.isAuthenticated() ? 'You are signed in' : 'You are not signed in';
  res.send(padded(page(status, ''), Number(env('HOME_BYTES'))));
});

// The claims of the ID token, every name and value escaped (as the examples render them).
function claimsTable(claims: object): string {
  const rows = Object.entries(claims).map(
    ([name, value]) =>
      `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(JSON.stringify(value))}</td></tr>`,
  );
  return `<table>${rows.join('')}</table>`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escapeHtml(title)}</title>
    <nav><a href="/">Home</a> · <a href="/token_details">ID token details</a> ·
    <a href="/login">Sign in</a> · <a href="/logout">Sign out</a></nav>
    <h1>${escapeHtml(title)}</h1>${body}`;
}

// As many bytes as the app's page: the rest in an HTML comment.
function padded(html: string, bytes: number): string {
  const missing = bytes - Buffer.byteLength(html) - '<!---->'.length;
  return missing > 0 ? `${html}<!--${'x'.repeat(missing)}-->` : html;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

const server = app.listen(Number(env('PORT')), '127.0.0.1');
server.keepAliveTimeout = 60_000;
