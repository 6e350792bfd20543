const FEDERATED_MISMATCH =
  'The federated credential’s issuer, subject and audience must match the token’s iss, sub and aud exactly (case and trailing slash included): compare them under Certificates & secrets > Federated credentials of the registration CLIENT_ID names (npm run doctor shows the token’s), or add the right one with npm run register -- --federated ISSUER,SUBJECT (--federated-managed-identity PRINCIPAL_ID for a managed identity).';

/** Plain-language hints for the Entra errors people hit most, keyed by AADSTS code. */
const hints: Record<string, string> = {
  AADSTS50011:
    'The redirect URI the app sent is not registered. Add the redirect URI shown at the bottom of the home page to the app registration (Authentication > Web > Redirect URIs), exactly, including http/https and the port.',
  AADSTS50020:
    'Your account is not in the tenant this app signs people in from. Use an account of that organisation, or ask an administrator to invite you as a guest.',
  AADSTS65001:
    'Nobody has consented to this app yet. Ask an administrator to grant consent, or sign in as someone who may consent.',
  AADSTS700016:
    'The application (CLIENT_ID) is not registered in this tenant. Check CLIENT_ID and TENANT_ID.',
  AADSTS7000215: 'The client secret is wrong. Check CLIENT_SECRET (the secret value, not its id).',
  AADSTS7000222: 'The client secret has expired. Create a new one in the app registration.',
  // Workload identity federation: Entra compares the presented token's iss, sub and aud with
  // each federated credential of the registration, exactly (case-sensitive, trailing slash
  // included), and names the first claim that matches none.
  AADSTS70021: FEDERATED_MISMATCH,
  AADSTS700211: `No federated credential of the app registration has the issuer (iss) of the token the app presented. ${FEDERATED_MISMATCH}`,
  AADSTS700212: `No federated credential of the app registration has the audience (aud) of the token the app presented: the credential's audience and the token's must both be api://AzureADTokenExchange (api://AzureADTokenExchangeUSGov or api://AzureADTokenExchangeChina in those clouds). ${FEDERATED_MISMATCH}`,
  AADSTS700213: `No federated credential of the app registration has the subject (sub) of the token the app presented (for a managed identity: its object (principal) id, not its client id). ${FEDERATED_MISMATCH}`,
  AADSTS700024:
    'The client assertion the app presented is expired or not yet valid: the platform stopped renewing the federated token file, or this server’s clock is off.',
  AADSTS700223:
    'Workload identity federation is restricted or turned off in this tenant (an administrator’s policy): ask the tenant’s administrators, or use a certificate or client secret.',
  AADSTS90002: 'The tenant does not exist. Check TENANT_ID (or the tenant part of AUTHORITY).',
  AADSTS50058: 'You are not signed in at the identity provider; sign in again.',
  AADSTS50076: 'Your organisation asks for multi-factor authentication; complete it and try again.',
};

/** The AADSTS code at the start of an Entra `error_description`, if there is one. */
export function findEntraErrorCode(description: string | undefined): string | undefined {
  if (description === undefined) return undefined;
  return /\bAADSTS\d{4,8}\b/.exec(description)?.[0];
}

/** The provider's correlation id inside an Entra `error_description`, if there is one. */
export function findEntraCorrelationId(description: string | undefined): string | undefined {
  if (description === undefined) return undefined;
  return /Correlation ID:\s*([0-9a-f-]{36})/i.exec(description)?.[1];
}

/** A plain-language hint for an AADSTS code, when we know one. */
export function hintForEntraError(code: string | undefined): string | undefined {
  return code !== undefined && Object.hasOwn(hints, code) ? hints[code] : undefined;
}
