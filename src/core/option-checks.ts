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

/** Checks a store given by name: memory, sqlite:PATH, or a redis(s):// URL. */
export function checkStoreSpec(value: string, nameOf: SettingNamer, problems: string[]): void {
  const name = nameOf('session.store');
  if (value === 'memory') return;
  if (value.startsWith('sqlite:')) {
    if (value === 'sqlite:') {
      problems.push(`${name}=sqlite: needs a file path, such as sqlite:./data/sessions.db`);
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
    `${name} must be "memory", "sqlite:PATH" (such as sqlite:./data/sessions.db) or a Redis URL (redis://HOST:PORT or rediss://HOST:PORT for TLS); you gave "${redactUrl(value)}"`,
  );
}

/** A URL with any password replaced: a Redis URL may carry one, and messages must not. */
export function redactUrl(value: string): string {
  return value.replace(/^(\w+:\/\/)[^@/]*@/, '$1***@');
}
