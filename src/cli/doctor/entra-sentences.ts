/**
 * The classic set-up mistakes, as Entra reports them (AADSTS codes), turned into a sentence that
 * says what is wrong and one that says what to change.
 * See https://learn.microsoft.com/entra/identity-platform/reference-error-codes.
 */
import { hintForEntraError } from '../../core/entra/entra-error.js';
import type { Config } from '../../app/config.js';

// Which claim of the presented token Entra found no federated credential for.
const FEDERATED_CLAIMS: Readonly<Record<string, string>> = {
  AADSTS700211: 'issuer (iss)',
  AADSTS700212: 'audience (aud)',
  AADSTS700213: 'subject (sub)',
};

/** What is wrong, and what to change. */
export interface Sentence {
  readonly detail: string;
  readonly fix: string;
}

/** The sentence for an AADSTS code, or `undefined` for a code we have nothing to say about. */
export function entraSentence(code: string | undefined, config: Config): Sentence | undefined {
  const tenant =
    /^https?:\/\/[^/]+\/([^/]+)\/v2\.0$/.exec(config.oidc.authority)?.[1] ?? 'the tenant';
  switch (code) {
    case undefined:
      return undefined;
    case 'AADSTS7000215':
      return {
        detail:
          'AADSTS7000215: the client secret is wrong. CLIENT_SECRET must be the secret’s Value, shown once when it was created, not its Secret ID.',
        fix: 'Create a new secret (npm run register -- --force, or Certificates & secrets in the Entra admin center) and put its Value in CLIENT_SECRET.',
      };
    case 'AADSTS7000222':
      return {
        detail: 'AADSTS7000222: the client secret has expired.',
        fix: 'Create a new secret (npm run register -- --force, or Certificates & secrets in the Entra admin center) and put its Value in CLIENT_SECRET.',
      };
    case 'AADSTS700016':
      return {
        detail: `AADSTS700016: there is no application with CLIENT_ID ${config.oidc.clientId} in ${tenant}.`,
        fix: 'Copy both the Application (client) ID and the Directory (tenant) ID from the same registration’s Overview page into CLIENT_ID and TENANT_ID, or run npm run register.',
      };
    case 'AADSTS90002':
      return {
        detail: `AADSTS90002: the tenant ${tenant} does not exist (in this cloud).`,
        fix: 'Set TENANT_ID to the Directory (tenant) ID from the registration’s Overview page; for a national cloud, set AUTHORITY to its sign-in address.',
      };
    case 'AADSTS70021':
    case 'AADSTS700211':
    case 'AADSTS700212':
    case 'AADSTS700213': {
      const claim = FEDERATED_CLAIMS[code] ?? 'issuer, subject or audience';
      return {
        detail: `${code}: no federated credential of the registration CLIENT_ID ${config.oidc.clientId} matches the ${claim} of the token the app presented.`,
        fix: 'Compare the federated credential’s issuer, subject and audience (Entra admin center: the registration > Certificates & secrets > Federated credentials) with the token’s, shown above: they must match exactly, case and trailing slash included. Or add the right one: npm run register -- --federated ISSUER,SUBJECT (--federated-managed-identity PRINCIPAL_ID for a managed identity).',
      };
    }
    default: {
      const hint = hintForEntraError(code);
      return hint === undefined ? undefined : { detail: `${code}: ${hint}`, fix: hint };
    }
  }
}
