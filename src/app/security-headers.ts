import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
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

/**
 * Security headers on every response (helmet), with a CSP that allows no inline script or style
 * and nothing from other origins, except that forms may lead to the identity provider: browsers
 * apply `form-action` to the redirect that follows the sign-out POST.
 */
export async function registerSecurityHeaders(app: FastifyInstance, config: Config): Promise<void> {
  const https = config.baseUrl.startsWith('https:');
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: directivesFor(config) },
    hsts: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
    // DENY, to agree with frame-ancestors 'none' (helmet's default SAMEORIGIN would not).
    frameguard: { action: 'deny' },
  });
}
