/**
 * A fake of `entra-signin` for the adapter benchmark, which bench/example-hooks.ts puts in the
 * place of every `entra-signin` import of an example app (`BENCH_ENTRA_SIGNIN=fake`): what the
 * three examples use, doing nothing. Its router and guards pass every request on, and everyone is
 * signed in as the person of `BENCH_FAKE_PERSON` (`{ name, claims, csrfToken }`, read from the
 * real example's claims page), so that the example answers the same bytes with the framework
 * alone. Never for anything but the benchmark.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';

/** The signed-in person the fake answers for every request. */
export interface FakePerson {
  readonly name: string;
  readonly claims: Record<string, unknown>;
  readonly csrfToken: string;
}

const person = JSON.parse(process.env['BENCH_FAKE_PERSON'] ?? '{}') as FakePerson;
const session = { fake: true };
const core = { csrfTokenFor: () => person.csrfToken };

/** The library's HTML escaping, the same characters the same way (its output must match). */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** `fromEnv`: only the base URL, which the examples print. */
export function fromEnv(env: Record<string, string | undefined>): { baseUrl: string } {
  return { baseUrl: env['BASE_URL'] ?? '' };
}

type Next = (error?: unknown) => void;
const passOn = (_req: unknown, _res: unknown, next: Next) => next();

/** `entra-signin/express`'s `entraSignIn`. */
export function entraSignIn() {
  return Promise.resolve({
    core,
    router: passOn,
    requireSignIn: passOn,
    requireAccess: () => passOn,
    signedIn: () => Promise.resolve(person),
    session: () => Promise.resolve(session),
    graphJson: () => Promise.reject(new Error('fake-entra-signin: no Graph')),
    errors: (error: unknown, _req: unknown, _res: unknown, next: Next) => next(error),
  });
}

// Fastify's decorators untyped: where the real adapter is in the same program (the repository's
// tsconfig), its declarations type these names with the library's own types.
type Decorate = (name: string, value: unknown) => unknown;

/** `entra-signin/fastify`'s plugin: the same decorations, at the root (as the real one). */
export default fastifyPlugin((app: FastifyInstance, _options: unknown, done: () => void) => {
  const decorate = app.decorate.bind(app) as Decorate;
  const decorateRequest = app.decorateRequest.bind(app) as Decorate;
  const passOnHook = (_request: FastifyRequest, _reply: FastifyReply) => Promise.resolve();
  decorate('entraSignIn', core);
  decorate('requireSignIn', passOnHook);
  decorate('requireAccess', () => passOnHook);
  decorateRequest('signedIn', () => Promise.resolve(person));
  decorateRequest('entraSession', () => Promise.resolve(session));
  decorateRequest('graphJson', () => Promise.reject(new Error('fake-entra-signin: no Graph')));
  const decorateReply = app.decorateReply.bind(app) as Decorate;
  decorateReply('entraError', function (this: FastifyReply, error: unknown) {
    return this.send(error);
  });
  done();
});

/** `entra-signin/fastify`'s `isEntraSignInError`: the fake throws none. */
export function isEntraSignInError(): boolean {
  return false;
}

/** `entra-signin/fetch`'s `createFetchSignIn`: every answer `null` ("go on"). */
export function createFetchSignIn() {
  return Promise.resolve({
    core,
    handle: () => Promise.resolve(null),
    requireSignIn: () => Promise.resolve(null),
    requireAccess: () => Promise.resolve(null),
    signedIn: () => Promise.resolve(person),
    session: () => Promise.resolve(session),
    graphJson: () => Promise.reject(new Error('fake-entra-signin: no Graph')),
    errorResponse: () => Promise.resolve(null),
  });
}
