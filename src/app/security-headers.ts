import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.js';

type Directives = Record<string, string[]>;

// One list of directives, sent everywhere; the library's front-channel logout page sends its own.
function directivesFor(config: Config): Directives {
  const providerOrigin = new URL(config.oidc.authority).origin;
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'", providerOrigin],
    'frame-ancestors': ["'none'"],
    ...(config.baseUrl.startsWith('https:') ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

function helmetOptions(config: Config) {
  const https = config.baseUrl.startsWith('https:');
  return {
    contentSecurityPolicy: { useDefaults: false, directives: directivesFor(config) },
    hsts: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' as const },
    // DENY, to agree with frame-ancestors 'none' (helmet's default SAMEORIGIN would not).
    frameguard: { action: 'deny' as const },
  };
}

/**
 * The headers helmet sends with these options. They depend on the options alone (no nonces, no
 * per-route settings), yet @fastify/helmet builds helmet anew and parses the CSP on every
 * request, a measurable share of a page's CPU time (bench/README.md): so helmet answers one
 * request of a throwaway instance at start-up, and what it added is the set every response gets.
 */
async function helmetHeaders(config: Config): Promise<Readonly<Record<string, string>>> {
  const answer = async (withHelmet: boolean) => {
    const probe = Fastify({ logger: false });
    if (withHelmet) await probe.register(helmet, helmetOptions(config));
    probe.get('/', () => '');
    const response = await probe.inject('/');
    await probe.close();
    return response.headers;
  };
  const bare = await answer(false);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(await answer(true))) {
    if (typeof value === 'string' && !(name in bare)) headers[name] = value;
  }
  return Object.freeze(headers);
}

/**
 * Security headers on every response (helmet), with a CSP that allows no inline script or style
 * and nothing from other origins, except that forms may lead to the identity provider: browsers
 * apply `form-action` to the redirect that follows the sign-out POST.
 */
export async function registerSecurityHeaders(app: FastifyInstance, config: Config): Promise<void> {
  const headers = await helmetHeaders(config);
  if (!('content-security-policy' in headers)) {
    throw new Error('helmet sent no Content-Security-Policy: the security headers are not set');
  }
  // On every request, 404s and errors included, before any route runs: a route (the library's
  // front-channel logout page) may still replace one with its own.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
