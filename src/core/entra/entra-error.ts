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
