/**
 * The environment variables of a federated credential, for `fromEnv`: AKS workload identity's
 * (`AZURE_FEDERATED_TOKEN_FILE` and its companions) and a managed identity's (App Service,
 * Functions, Container Apps).
 */
import { constants, accessSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ClientAssertionOption } from '../option-types.js';

/** The variables read here (already trimmed; empty ones are `undefined`). */
export interface FederatedVariables {
  readonly CLIENT_ID?: string | undefined;
  readonly TENANT_ID?: string | undefined;
  readonly AUTHORITY?: string | undefined;
  readonly AZURE_FEDERATED_TOKEN_FILE?: string | undefined;
  readonly AZURE_CLIENT_ID?: string | undefined;
  readonly AZURE_TENANT_ID?: string | undefined;
  readonly AZURE_AUTHORITY_HOST?: string | undefined;
  readonly MANAGED_IDENTITY_CLIENT_ID?: string | undefined;
  readonly IDENTITY_ENDPOINT?: string | undefined;
  readonly IDENTITY_HEADER?: string | undefined;
}

/** The options these variables give. */
export interface FederatedOptions {
  readonly clientAssertion: ClientAssertionOption | undefined;
  readonly clientId: string | undefined;
  readonly tenantId: string | undefined;
  readonly authority: string | undefined;
}

/**
 * The client assertion the variables describe, and the client id, tenant and authority with the
 * workload identity fallbacks applied. The AKS webhook sets `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`
 * and `AZURE_AUTHORITY_HOST` next to the token file, and they stand in for `CLIENT_ID`,
 * `TENANT_ID` and the authority only then: elsewhere `AZURE_CLIENT_ID` (the Azure SDKs'
 * convention) may well name a managed identity rather than this app's registration.
 *
 * @see https://azure.github.io/azure-workload-identity/docs/quick-start.html
 */
export function federatedOptionsFromEnv(
  e: FederatedVariables,
  cwd: string,
  problems: string[],
): FederatedOptions {
  const given = { clientId: e.CLIENT_ID, tenantId: e.TENANT_ID, authority: e.AUTHORITY };
  const tokenFile = e.AZURE_FEDERATED_TOKEN_FILE;
  const managedIdentity = e.MANAGED_IDENTITY_CLIENT_ID;
  if (tokenFile !== undefined && managedIdentity !== undefined) {
    problems.push(
      'AZURE_FEDERATED_TOKEN_FILE and MANAGED_IDENTITY_CLIENT_ID are two sources of the client assertion: set one (AZURE_FEDERATED_TOKEN_FILE on AKS and other platforms that project a token file; MANAGED_IDENTITY_CLIENT_ID on App Service, Functions and Container Apps)',
    );
    return { ...given, clientAssertion: undefined };
  }
  if (managedIdentity !== undefined) {
    return { ...given, clientAssertion: managedIdentityFromEnv(e, managedIdentity, problems) };
  }
  if (tokenFile === undefined) return { ...given, clientAssertion: undefined };
  const path = resolve(cwd, tokenFile);
  checkTokenFile(path, tokenFile, problems);
  const tenantId = e.TENANT_ID ?? e.AZURE_TENANT_ID;
  const host = authorityHost(e.AZURE_AUTHORITY_HOST, problems);
  return {
    clientAssertion: { kind: 'file', path },
    clientId: e.CLIENT_ID ?? e.AZURE_CLIENT_ID,
    tenantId,
    authority:
      e.AUTHORITY ??
      (host !== undefined && tenantId !== undefined ? `${host}/${tenantId}/v2.0` : undefined),
  };
}

// The one place the identity endpoint comes from: without it there is no managed identity to
// ask, and the instance metadata service (169.254.169.254) is never tried in its stead.
function managedIdentityFromEnv(
  e: FederatedVariables,
  clientId: string,
  problems: string[],
): ClientAssertionOption | undefined {
  const missing = [
    e.IDENTITY_ENDPOINT === undefined ? 'IDENTITY_ENDPOINT' : '',
    e.IDENTITY_HEADER === undefined ? 'IDENTITY_HEADER' : '',
  ].filter(Boolean);
  if (e.IDENTITY_ENDPOINT === undefined || e.IDENTITY_HEADER === undefined) {
    problems.push(
      `MANAGED_IDENTITY_CLIENT_ID needs IDENTITY_ENDPOINT and IDENTITY_HEADER, which App Service, Azure Functions and Container Apps set for an app with a managed identity, and ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set. The app never asks the instance metadata service (169.254.169.254) instead: elsewhere, use AZURE_FEDERATED_TOKEN_FILE, a certificate or a secret`,
    );
    return undefined;
  }
  return {
    kind: 'managed-identity',
    endpoint: e.IDENTITY_ENDPOINT,
    identityHeader: e.IDENTITY_HEADER,
    clientId,
  };
}

// Checked at start-up, as the certificate files are: a wrong path stops the start with a sentence
// rather than failing every sign-in. The token itself is read again at every use.
function checkTokenFile(path: string, given: string, problems: string[]): void {
  try {
    accessSync(path, constants.R_OK);
    if (statSync(path).isFile()) return;
  } catch {
    // Said below.
  }
  problems.push(
    `AZURE_FEDERATED_TOKEN_FILE (${given}) must be a readable file; on AKS the workload identity webhook mounts it in pods labelled azure.workload.identity/use: "true" whose service account names the app's client id`,
  );
}

function authorityHost(value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url === null || url.protocol !== 'https:' || url.pathname !== '/' || url.search !== '') {
    problems.push(
      `AZURE_AUTHORITY_HOST must be the https origin of the sign-in service, such as https://login.microsoftonline.com/; you gave "${value}"`,
    );
    return undefined;
  }
  return url.origin;
}
