import Fastify from 'fastify';
import { escapeHtml, fromEnv } from 'entra-signin';
import entraSignIn, { isEntraSignInError } from 'entra-signin/fastify';

const options = fromEnv(process.env, { defaultPort: 3000 });
const app = Fastify();
await app.register(entraSignIn, options);

app.get('/', async (request, reply) => {
  const person = await request.signedIn();
  const status = person ? `You're signed in, ${person.name}` : "You're not signed in";
  return reply.type('text/html').send(page(status, '', await request.entraSession()));
});

app.get('/token_details', { preHandler: app.requireSignIn }, async (request, reply) => {
  const person = await request.signedIn();
  const html = page(
    `ID token of ${person.name}`,
    claimsTable(person.claims),
    await request.entraSession(),
  );
  return reply.type('text/html').send(html);
});

// Microsoft Graph as the signed-in person; a consent or Conditional Access step the call needs
// reaches the error handler below, which sends the browser to the provider and back here.
app.get('/profile', { preHandler: app.requireSignIn }, async (request, reply) => {
  const me = await request.graphJson('/v1.0/me');
  const body = `<p>${escapeHtml(me.jobTitle ?? '')} ${escapeHtml(me.mail ?? '')}</p>`;
  const html = page(`Profile of ${me.displayName}`, body, await request.entraSession());
  return reply.type('text/html').send(html);
});

// Only for people with the app role Admin: others get a 403 page naming what is missing.
const admins = app.requireAccess({ anyRole: ['Admin'] });
app.get('/admin', { preHandler: admins }, async (request, reply) => {
  const body = '<p>Only people with the Admin app role see this page.</p>';
  const html = page('Admin', body, await request.entraSession());
  return reply.type('text/html').send(html);
});

app.setErrorHandler((error, request, reply) =>
  isEntraSignInError(error) ? reply.entraError(error) : reply.send(error),
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
        <input type="hidden" name="csrf_token" value="${escapeHtml(app.entraSignIn.csrfTokenFor(session))}">
        <button>Sign out</button></form>`
    : '<a href="/auth/sign_in">Sign in</a>';
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escapeHtml(title)}</title>
    <nav><a href="/">Home</a> · <a href="/token_details">ID token details</a> ·
    <a href="/profile">Profile</a> · <a href="/admin">Admin</a> ·
    <a href="/auth/sessions">Where you're signed in</a> · ${signInOrOut}</nav>
    <h1>${escapeHtml(title)}</h1>${body}`;
}

await app.listen({ port: Number(process.env.PORT ?? 3000) });
console.log(`Listening; open ${options.baseUrl}`);
