/**
 * Checks and readers for the app's own settings, called by `config.ts` (which alone reads the
 * environment). Each adds a sentence that says what to change to `problems`.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';

/** Whether and how the app serves https itself. */
export type HttpsSetting =
  | { readonly mode: 'off' }
  | { readonly mode: 'adhoc' }
  | { readonly mode: 'files'; readonly certFile: string; readonly keyFile: string };

/** How to serve https: off, a generated local certificate (HTTPS=adhoc), or the given files. */
export function resolveHttps(
  env: {
    TLS_CERT_FILE?: string | undefined;
    TLS_KEY_FILE?: string | undefined;
    HTTPS?: string | undefined;
  },
  cwd: string,
  problems: string[],
): HttpsSetting {
  if (env.TLS_CERT_FILE !== undefined || env.TLS_KEY_FILE !== undefined) {
    if (env.TLS_CERT_FILE === undefined || env.TLS_KEY_FILE === undefined) {
      problems.push('TLS_CERT_FILE and TLS_KEY_FILE go together: set both or neither');
      return { mode: 'off' };
    }
    return {
      mode: 'files',
      certFile: resolve(cwd, env.TLS_CERT_FILE),
      keyFile: resolve(cwd, env.TLS_KEY_FILE),
    };
  }
  switch (env.HTTPS) {
    case undefined:
    case 'off':
    case 'false':
      return { mode: 'off' };
    case 'adhoc':
    case 'true':
      return { mode: 'adhoc' };
    default:
      problems.push(
        `HTTPS must be "adhoc" (a generated local certificate) or unset; you gave "${env.HTTPS}"`,
      );
      return { mode: 'off' };
  }
}

const proxyKeywords = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Whether TRUST_PROXY is a value that trusts what it says: a boolean, or addresses and CIDRs. A
 * hop count is not: Fastify 5.12 and later trust no proxy for one (it cannot tell who sent the
 * header), so `1` would silently log every proxy's address as the client's.
 */
export function isTrustProxyValue(value: string): boolean {
  if (value === 'true' || value === 'false') return true;
  return value.split(',').every((item) => {
    const [address = '', prefix, extra] = item.trim().split('/');
    if (proxyKeywords.has(address) && prefix === undefined) return true;
    const family = isIP(address);
    if (family === 0 || extra !== undefined) return false;
    return (
      prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128))
    );
  });
}

/** TRUST_PROXY in the form Fastify takes. */
export function parseTrustProxy(value: string | undefined): boolean | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  return value.split(',').map((s) => s.trim());
}
