/** How the doctor names the app's credential in its sentences, by the settings that give it. */
import type { OidcSettings } from '../../core/options.js';

/** The credential as the object of a sentence ("accepted CLIENT_ID … and {this}"). */
export function credentialName(oidc: OidcSettings): string {
  switch (oidc.clientAssertion?.kind) {
    case 'file':
      return 'the federated token in AZURE_FEDERATED_TOKEN_FILE';
    case 'managed-identity':
      return 'the token of the managed identity MANAGED_IDENTITY_CLIENT_ID';
    case 'callback':
      return 'the client assertion';
    case undefined:
      return oidc.clientCertificate === null ? 'CLIENT_SECRET' : 'the client certificate';
  }
}

/** The credential as the settings check lists it. */
export function credentialKind(oidc: OidcSettings): string {
  switch (oidc.clientAssertion?.kind) {
    case 'file':
      return 'a federated credential (AZURE_FEDERATED_TOKEN_FILE)';
    case 'managed-identity':
      return 'a federated credential (the managed identity MANAGED_IDENTITY_CLIENT_ID)';
    case 'callback':
      return 'a federated credential';
    case undefined:
      return oidc.clientCertificate === null ? 'a client secret' : 'a client certificate';
  }
}
