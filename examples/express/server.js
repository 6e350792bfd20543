import express from 'express';
import { escapeHtml, fromEnv } from 'entra-signin';
import { entraSignIn } from 'entra-signin/express';

const options = fromEnv(process.env, { defaultPort: 3000 });
const auth = await entraSignIn(options);
const app = express();
app.use(auth.router);

app.get('/', async (req, res) => {
  const person = await auth.signedIn(req);
  const status = person ? `You're signed in, ${person.name}` : "You're not signed in";
  res.send(page(status, '', await auth.session(req)));
});

app.get('/token_details', auth.requireSignIn, async (req, res) => {
  const person = await auth.signedIn(req);
  res.send(page(`ID token of ${person.name}`, claimsTable(person.claims), await auth.session(req)));
});

// Microsoft Graph as the signed-in person; a consent or Conditional Access step the call needs
// reaches auth.errors below, which sends the browser to the provider and back here.
app.get('/profile', auth.requireSignIn, async (req, res) => {
  const me = await auth.graphJson(req, '/v1.0/me');
  const body = `<p>${escapeHtml(me.jobTitle ?? '')} ${escapeHtml(me.mail ?? '')}</p>`;
  res.send(page(`Profile of ${me.displayName}`, body, await auth.session(req)));
});

// Only for people with the app role Admin: others get a 403 page naming what is missing.
app.get('/admin', auth.requireAccess({ anyRole: ['Admin'] }), async (req, res) => {
  res.send(
    page(
      'Admin',
      '<p>Only people with the Admin app role see this page.</p>',
      await auth.session(req),
    ),
  );
});

app.use(auth.errors);

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
app.listen(port, () => console.log(`Listening; open ${options.baseUrl}`));
