import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Config } from './config.js';

type Directives = Record<string, string[]>;

// One list of directives: helmet sends it everywhere, `allowFramingBy` varies one of them.
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
  });
}

/**
 * Lets one response be framed by `origin` alone (CSP `frame-ancestors`), for the page the
 * provider loads in an iframe at front-channel logout; every other page may not be framed.
 * `X-Frame-Options` cannot name another origin, so it goes: browsers that know CSP obey that.
 *
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html#RPLogout
 */
export function allowFramingBy(reply: FastifyReply, config: Config, origin: string): void {
  const directives = { ...directivesFor(config), 'frame-ancestors': [origin] };
  const policy = Object.entries(directives)
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');
  reply.header('content-security-policy', policy).removeHeader('x-frame-options');
}
