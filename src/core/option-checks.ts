/**
 * The checks of single options, called by the schema in `options.ts`. Each adds a sentence that
 * says what to change to `problems`, naming the setting through `nameOf`.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import {
  multiTenantCloudOf,
  parseAllowedTenants,
  type MultiTenantSettings,
} from './entra/entra-tenant.js';
import { isLoopbackHost } from './loopback.js';
import type { ClientCertificate, SettingNamer } from './option-types.js';

/**
 * A multi-tenant authority lets every Entra tenant in unless told which: the allow-list is
 * required with one, and meaningless (so refused) with any other.
 */
export function resolveMultiTenant(
  authority: string,
  allowed: string | readonly string[] | undefined,
  nameOf: SettingNamer,
  problems: string[],
): MultiTenantSettings | null {
  const cloudOrigin = multiTenantCloudOf(authority);
  const name = nameOf('allowedTenants');
  if (cloudOrigin === null) {
    if (allowed !== undefined) {
      problems.push(
        `${name} applies only to a multi-tenant ${nameOf('authority')} (https://login.microsoftonline.com/organizations/v2.0 or …/common/v2.0); remove it or change ${nameOf('authority')} (you gave "${authority}")`,
      );
    }
    return null;
  }
  if (allowed === undefined) {
    problems.push(
      `${name} is required with a multi-tenant ${nameOf('authority')} ("${authority}"): list the Directory (tenant) ids that may sign in, comma-separated, or * for any organisation`,
    );
    return null;
  }
  const list = typeof allowed === 'string' ? allowed : allowed.join(',');
  const before = problems.length;
  const tenants = parseAllowedTenants(list, problems);
  for (let i = before; i < problems.length; i += 1) {
    problems[i] = (problems[i] ?? '').replace(/^ALLOWED_TENANTS/, name);
  }
  return Object.freeze({ cloudOrigin, allowedTenants: tenants });
}

// Checked here, so that a wrong file stops the start with a sentence instead of failing every
// sign-in later.
export function checkCertificate(
  given: ClientCertificate,
  nameOf: SettingNamer,
  problems: string[],
): ClientCertificate | null {
  const certName = nameOf('clientCertificate.certificatePem');
  const keyName = nameOf('clientCertificate.privateKeyPem');
  try {
    const certificate = new X509Certificate(given.certificatePem);
    const key = createPrivateKey(given.privateKeyPem);
    if (key.asymmetricKeyType !== 'rsa' || !certificate.checkPrivateKey(key)) {
      problems.push(`${keyName} must be the RSA private key of the certificate in ${certName}`);
      return null;
    }
    return Object.freeze({
      certificatePem: given.certificatePem,
      // PKCS#8 whatever was given (PKCS#1 "RSA PRIVATE KEY" too): what the signer imports.
      privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
      certificateFile: given.certificateFile,
    });
  } catch {
    problems.push(`${certName} must hold a PEM certificate and ${keyName} its PEM private key`);
    return null;
  }
}

/** Checks that an authority is an https URL (http only on this machine) without query or fragment. */
export function checkAuthority(authority: string, nameOf: SettingNamer, problems: string[]): void {
  const name = nameOf('authority');
  if (!URL.canParse(authority)) {
    problems.push(`${name} must be an absolute URL; you gave "${authority}"`);
    return;
  }
  const url = new URL(authority);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    problems.push(
      `${name} must use https unless it is on this machine (localhost, 127.0.0.1, ::1); you gave "${authority}"`,
    );
  } else if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`${name} must be an https URL; you gave "${authority}"`);
  }
  if (url.search !== '' || url.hash !== '') {
    problems.push(`${name} must not have a query or fragment; you gave "${authority}"`);
  }
}

/** The origin a base URL names, checked to be an http(s) origin without path, query or fragment. */
export function resolveBaseUrl(value: string, nameOf: SettingNamer, problems: string[]): string {
  const name = nameOf('baseUrl');
  if (!URL.canParse(value)) {
    problems.push(
      `${name} must be an absolute URL such as https://app.example.com; you gave "${value}"`,
    );
    return value;
  }
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(
      `${name} must start with https:// (or http:// on this machine); you gave "${value}"`,
    );
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    problems.push(
      `${name} must be an origin without a path, query or fragment (the app serves from /); you gave "${value}"`,
    );
  }
  return url.origin;
}

/** Checks a store given by name: memory, sqlite:PATH, a redis(s):// URL or a Redis Cluster URL. */
export function checkStoreSpec(value: string, nameOf: SettingNamer, problems: string[]): void {
  const name = nameOf('session.store');
  if (value === 'memory') return;
  if (value.startsWith('sqlite:')) {
    if (value === 'sqlite:') {
      problems.push(`${name}=sqlite: needs a file path, such as sqlite:./data/sessions.db`);
    }
    return;
  }
  if (/^rediss?-cluster:/.test(value)) {
    if (parseRedisClusterUrl(value) === null) {
      problems.push(
        `${name} must be a Redis Cluster URL such as redis-cluster://10.0.0.1:6379,10.0.0.2:6379 (a few of its nodes, comma-separated), rediss-cluster://user:password@redis.example.com:6380 (TLS), with no database number (a cluster has only database 0); you gave "${redactUrl(value)}"`,
      );
    }
    return;
  }
  if (value.startsWith('redis://') || value.startsWith('rediss://')) {
    const url = URL.canParse(value) ? new URL(value) : null;
    // The path, if any, is the database number (redis://host:6379/2).
    if (url === null || url.hostname === '' || !/^\/?\d*$/.test(url.pathname)) {
      problems.push(
        `${name} must be a Redis URL such as redis://localhost:6379, rediss://user:password@redis.example.com:6380 (TLS) or redis://localhost:6379/2 (database 2); you gave "${redactUrl(value)}"`,
      );
    }
    return;
  }
  problems.push(
    `${name} must be "memory", "sqlite:PATH" (such as sqlite:./data/sessions.db), a Redis Cluster URL (redis-cluster://HOST:PORT,HOST:PORT, or rediss-cluster:// for TLS) or a Redis URL (redis://HOST:PORT or rediss://HOST:PORT for TLS); you gave "${redactUrl(value)}"`,
  );
}

/** A Redis Cluster as a `redis-cluster://` URL names it: some of its nodes, and how to log in. */
export interface RedisClusterSpec {
  /** The nodes to learn the cluster's layout from (any few of them; the rest are discovered). */
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly username: string | undefined;
  readonly password: string | undefined;
  /** `rediss-cluster://`: every connection, to every node, over TLS. */
  readonly tls: boolean;
}

/**
 * Parses `redis-cluster://[user:password@]host[:port],host[:port],…` (`rediss-cluster://` for
 * TLS; the port defaults to 6379), or `null` when the value is not one. `URL` cannot parse a
 * list of hosts, hence the hand-written parser; credentials are percent-decoded as in a URL.
 */
export function parseRedisClusterUrl(value: string): RedisClusterSpec | null {
  const match = /^(rediss?)-cluster:\/\/(?:([^@/?#]*)@)?([^@/?#]+)\/?$/.exec(value);
  if (match === null) return null;
  const [, scheme, credentials, hostList = ''] = match;
  const nodes = [];
  for (const address of hostList.split(',')) {
    // A host name, an IPv4 address or a bracketed IPv6 one, then an optional port.
    const node = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(address);
    const port = Number(node?.[3] ?? 6379);
    const host = node?.[1] ?? node?.[2];
    if (host === undefined || port < 1 || port > 65_535) return null;
    nodes.push({ host, port });
  }
  const colon = credentials?.indexOf(':') ?? -1;
  const [user, password] =
    credentials === undefined
      ? []
      : colon === -1
        ? [credentials]
        : [credentials.slice(0, colon), credentials.slice(colon + 1)];
  try {
    return {
      nodes,
      username: user ? decodeURIComponent(user) : undefined,
      password: password ? decodeURIComponent(password) : undefined,
      tls: scheme === 'rediss',
    };
  } catch {
    return null; // a malformed %-escape
  }
}

/** A URL with any password replaced: a Redis URL may carry one, and messages must not. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1***@');
}
