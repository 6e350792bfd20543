/**
 * Checks and readers for single settings, called by the schema in `config.ts` (which alone reads
 * the environment). Each adds a sentence that says what to change to `problems`.
 */
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import {
  multiTenantCloudOf,
  parseAllowedTenants,
  type MultiTenantSettings,
} from '../core/entra/entra-tenant.js';
import type { ClientCertificateSetting, Env, HttpsSetting, SessionStoreSetting } from './config.js';

/** The least length of a session secret. */
export const MIN_SECRET_LENGTH = 32;

/**
 * The multi-tenant settings of an `organizations`/`common` AUTHORITY, or `null` for any other. A
 * multi-tenant authority lets every Entra tenant in unless told which: ALLOWED_TENANTS is required
 * with one, and meaningless (so refused) with any other.
 */
export function resolveMultiTenant(
  authority: string,
  allowedTenants: string | undefined,
  problems: string[],
): MultiTenantSettings | null {
  const cloudOrigin = multiTenantCloudOf(authority);
  if (cloudOrigin === null) {
    if (allowedTenants !== undefined) {
      problems.push(
        `ALLOWED_TENANTS applies only to a multi-tenant AUTHORITY (https://login.microsoftonline.com/organizations/v2.0 or …/common/v2.0); remove it or change AUTHORITY (you gave "${authority}")`,
      );
    }
    return null;
  }
  if (allowedTenants === undefined) {
    problems.push(
      `ALLOWED_TENANTS is required with a multi-tenant AUTHORITY ("${authority}"): list the Directory (tenant) ids that may sign in, comma-separated, or * for any organisation`,
    );
    return null;
  }
  return Object.freeze({
    cloudOrigin,
    allowedTenants: parseAllowedTenants(allowedTenants, problems),
  });
}

/**
 * The client certificate and key that CLIENT_CERTIFICATE_FILE and CLIENT_KEY_FILE name, checked to
 * belong together; `null` when neither is set. A certificate credential (private_key_jwt) is what
 * Entra recommends over secrets: the private key never leaves this machine.
 */
export function readClientCertificate(
  env: Env,
  cwd: string,
  problems: string[],
): ClientCertificateSetting | null {
  const { CLIENT_CERTIFICATE_FILE: certFile, CLIENT_KEY_FILE: keyFile } = env;
  if (certFile === undefined && keyFile === undefined) return null;
  if (certFile === undefined || keyFile === undefined) {
    problems.push('CLIENT_CERTIFICATE_FILE and CLIENT_KEY_FILE go together: set both or neither');
    return null;
  }
  let certificatePem: string;
  let keyPem: string;
  try {
    certificatePem = readFileSync(resolve(cwd, certFile), 'utf8');
    keyPem = readFileSync(resolve(cwd, keyFile), 'utf8');
  } catch {
    problems.push(
      `CLIENT_CERTIFICATE_FILE (${certFile}) and CLIENT_KEY_FILE (${keyFile}) must be readable PEM files`,
    );
    return null;
  }
  // Checked here, so that a wrong file stops the start with a sentence instead of failing every
  // sign-in later.
  try {
    const certificate = new X509Certificate(certificatePem);
    const key = createPrivateKey(keyPem);
    if (key.asymmetricKeyType !== 'rsa' || !certificate.checkPrivateKey(key)) {
      problems.push(
        `CLIENT_KEY_FILE (${keyFile}) must be the RSA private key of the certificate in CLIENT_CERTIFICATE_FILE (${certFile})`,
      );
      return null;
    }
    return {
      certificateFile: resolve(cwd, certFile),
      certificatePem,
      // PKCS#8 whatever the file held (PKCS#1 "RSA PRIVATE KEY" too): what the signer imports.
      privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  } catch {
    problems.push(
      `CLIENT_CERTIFICATE_FILE (${certFile}) must hold a PEM certificate and CLIENT_KEY_FILE (${keyFile}) its PEM private key`,
    );
    return null;
  }
}

/** Checks that AUTHORITY is an https URL (http only on this machine) without query or fragment. */
export function checkAuthority(authority: string, problems: string[]): void {
  let url: URL;
  try {
    url = new URL(authority);
  } catch {
    problems.push(`AUTHORITY must be an absolute URL; you gave "${authority}"`);
    return;
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    problems.push(
      `AUTHORITY must use https unless it is on this machine (localhost, 127.0.0.1, ::1); you gave "${authority}"`,
    );
  } else if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`AUTHORITY must be an https URL; you gave "${authority}"`);
  }
  if (url.search !== '' || url.hash !== '') {
    problems.push(`AUTHORITY must not have a query or fragment; you gave "${authority}"`);
  }
}

/** The origin BASE_URL names, checked to be an http(s) origin without path, query or fragment. */
export function resolveBaseUrl(value: string, problems: string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(
      `BASE_URL must be an absolute URL such as https://app.example.com; you gave "${value}"`,
    );
    return value;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(
      `BASE_URL must start with https:// (or http:// on this machine); you gave "${value}"`,
    );
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    problems.push(
      `BASE_URL must be an origin without a path, query or fragment (the app serves from /); you gave "${value}"`,
    );
  }
  return url.origin;
}

/** How to serve https: off, a generated local certificate (HTTPS=adhoc), or the given files. */
export function resolveHttps(env: Env, cwd: string, problems: string[]): HttpsSetting {
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

/** The cookie-signing secrets: SESSION_SECRET's, or in development one generated and kept. */
export function resolveSessionSecrets(env: Env, dataDir: string, problems: string[]): string[] {
  if (env.SESSION_SECRET !== undefined) {
    const secrets = env.SESSION_SECRET.split(',').map((s) => s.trim());
    if (secrets.some((s) => s.length < MIN_SECRET_LENGTH)) {
      problems.push(
        `SESSION_SECRET must be at least ${MIN_SECRET_LENGTH} characters (each, when you list several separated by commas); generate one with: node -e "console.log(crypto.randomBytes(32).toString('base64url'))"`,
      );
    }
    return secrets;
  }
  if (env.NODE_ENV === 'production') {
    problems.push(
      `SESSION_SECRET is required when NODE_ENV=production: set it to at least ${MIN_SECRET_LENGTH} random characters`,
    );
    return [];
  }
  return [readOrCreateDevSecret(dataDir)];
}

// A development run keeps a generated secret under the data folder so that sessions survive a
// restart without anyone having to invent a secret first.
function readOrCreateDevSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= MIN_SECRET_LENGTH) return secret;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** The session store SESSION_STORE names: memory, sqlite:PATH, or redis(s)://. */
export function resolveStore(value: string, cwd: string, problems: string[]): SessionStoreSetting {
  if (value === 'memory') return { kind: 'memory' };
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length);
    if (path === '') {
      problems.push('SESSION_STORE=sqlite: needs a file path, such as sqlite:./data/sessions.db');
    }
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  if (value.startsWith('redis://') || value.startsWith('rediss://')) {
    return resolveRedisStore(value, problems);
  }
  problems.push(
    `SESSION_STORE must be "memory", "sqlite:PATH" (such as sqlite:./data/sessions.db) or a Redis URL (redis://HOST:PORT or rediss://HOST:PORT for TLS); you gave "${redactUrl(value)}"`,
  );
  return { kind: 'memory' };
}

function resolveRedisStore(value: string, problems: string[]): SessionStoreSetting {
  const url = URL.canParse(value) ? new URL(value) : null;
  // The path, if any, is the database number (redis://host:6379/2).
  if (url === null || url.hostname === '' || !/^\/?\d*$/.test(url.pathname)) {
    problems.push(
      `SESSION_STORE must be a Redis URL such as redis://localhost:6379, rediss://user:password@redis.example.com:6380 (TLS) or redis://localhost:6379/2 (database 2); you gave "${redactUrl(value)}"`,
    );
  }
  return { kind: 'redis', url: value };
}

// A Redis URL may carry a password: messages show the rest of it only.
function redactUrl(value: string): string {
  return value.replace(/^(\w+:\/\/)[^@/]*@/, '$1***@');
}

const proxyKeywords = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Whether TRUST_PROXY is a value Fastify understands (boolean, hop count, addresses, CIDRs). */
export function isTrustProxyValue(value: string): boolean {
  if (value === 'true' || value === 'false' || /^\d+$/.test(value)) return true;
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
export function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((s) => s.trim());
}

/** True for hosts that can only be this machine. */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    hostname === '::1' ||
    /^127(?:\.\d{1,3}){3}$/.test(hostname)
  );
}
