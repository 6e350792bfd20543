import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { escapeHtml, fromEnv } from 'entra-signin';
import { createFetchSignIn } from 'entra-signin/fetch';

const options = fromEnv(process.env, { defaultPort: 3000 });
const auth = await createFetchSignIn(options);
const app = new Hono();
// The sign-in routes answer here (handle gives null for any other request, which goes on).
app.use(async (c, next) => (await auth.handle(c.req.raw)) ?? next());
const requireSignIn = async (c, next) => (await auth.requireSignIn(c.req.raw)) ?? next();

app.get('/', async (c) => {
  const person = await auth.signedIn(c.req.raw);
  const status = person ? `You're signed in, ${person.name}` : "You're not signed in";
  return c.html(page(status, '', await auth.session(c.req.raw)));
});

app.get('/token_details', requireSignIn, async (c) => {
  const person = await auth.signedIn(c.req.raw);
  return c.html(
    page(`ID token of ${person.name}`, claimsTable(person.claims), await auth.session(c.req.raw)),
  );
});

// Microsoft Graph as the signed-in person; a consent or Conditional Access step the call needs
// reaches onError below, which sends the browser to the provider and back here.
app.get('/profile', requireSignIn, async (c) => {
  const me = await auth.graphJson(c.req.raw, '/v1.0/me');
  const body = `<p>${escapeHtml(me.jobTitle ?? '')} ${escapeHtml(me.mail ?? '')}</p>`;
  return c.html(page(`Profile of ${me.displayName}`, body, await auth.session(c.req.raw)));
});

// Only for people with the app role Admin: others get a 403 page naming what is missing.
const admins = async (c, next) =>
  (await auth.requireAccess(c.req.raw, { anyRole: ['Admin'] })) ?? next();
app.get('/admin', admins, async (c) => {
  const body = '<p>Only people with the Admin app role see this page.</p>';
  return c.html(page('Admin', body, await auth.session(c.req.raw)));
});

app.onError(
  async (error, c) => (await auth.errorResponse(c.req.raw, error)) ?? c.text('Server error', 500),
);

// The claims of the ID token, every name and value escaped.
function claimsTable(claims) {
  const rows = Object.entries(claims).map(
    ([name, value]) =>
      `<tr><th>${escapeHtml(name)}</th><td>${escapeHtml(JSON.stringify(value))}</td></tr>`,
  );
  return `<table>${rows.join('')}</table>`;
}

// Signed in: a sign-out form that carries the session's CSRF token. Signed out: a sign-in link.
function page(title, body, session) {
  const signInOrOut = session
    ? `<form method="post" action="/auth/sign_out">
        <input type="hidden" name="csrf_token" value="${escapeHtml(auth.core.csrfTokenFor(session))}">
        <button>Sign out</button></form>`
    : '<a href="/auth/sign_in">Sign in</a>';
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escapeHtml(title)}</title>
    <nav><a href="/">Home</a> · <a href="/token_details">ID token details</a> ·
    <a href="/profile">Profile</a> · <a href="/admin">Admin</a> ·
    <a href="/auth/sessions">Where you're signed in</a> · ${signInOrOut}</nav>
    <h1>${escapeHtml(title)}</h1>${body}`;
}

const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port }, () => console.log(`Listening; open ${options.baseUrl}`));
