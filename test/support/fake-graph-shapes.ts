/**
 * The fake Graph's answers, shaped like the examples of Microsoft Graph v1.0's documentation
 * (application-post-applications, application-addpassword, serviceprincipal-post-serviceprincipals,
 * user-get) and its error format (https://learn.microsoft.com/graph/errors).
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** An application as the fake keeps it (the documented shape, shortened). */
export type FakeApplication = Record<string, unknown> & {
  id: string;
  appId: string;
  displayName: string;
  web: Record<string, unknown> & { redirectUris: string[] };
  keyCredentials: Record<string, unknown>[];
  passwordCredentials: Record<string, unknown>[];
  requiredResourceAccess: Record<string, unknown>[];
};

/** An error to answer with instead of the normal answer. */
export interface FakeFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly retryAfter?: string;
}

/** The documented 403 (missing privileges) and 429 (throttled) answers. */
export const graphFailures = {
  forbidden: {
    status: 403,
    code: 'Authorization_RequestDenied',
    message: 'Insufficient privileges to complete the operation.',
  },
  throttled: (retryAfter: string): FakeFailure => ({
    status: 429,
    code: 'TooManyRequests',
    message: 'Please retry again later.',
    retryAfter,
  }),
};

/** POST /applications' 201 body. */
export function applicationBody(input: Record<string, unknown>): FakeApplication {
  const web = (input['web'] ?? {}) as Record<string, unknown>;
  return {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#applications/$entity',
    id: randomUUID(),
    deletedDateTime: null,
    isFallbackPublicClient: null,
    appId: randomUUID(),
    applicationTemplateId: null,
    identifierUris: [],
    createdDateTime: new Date().toISOString(),
    displayName: String(input['displayName']),
    isDeviceOnlyAuthSupported: null,
    groupMembershipClaims: null,
    optionalClaims: null,
    addIns: [],
    publisherDomain: 'contoso.onmicrosoft.com',
    signInAudience: input['signInAudience'] ?? 'AzureADandPersonalMicrosoftAccount',
    tags: [],
    tokenEncryptionKeyId: null,
    appRoles: [],
    publicClient: { redirectUris: [] },
    keyCredentials: ((input['keyCredentials'] ?? []) as Record<string, unknown>[]).map((k) => ({
      ...k,
      keyId: randomUUID(),
    })),
    passwordCredentials: [],
    requiredResourceAccess: (input['requiredResourceAccess'] ?? []) as Record<string, unknown>[],
    web: {
      redirectUris: (web['redirectUris'] ?? []) as string[],
      homePageUrl: null,
      logoutUrl: web['logoutUrl'] ?? null,
      implicitGrantSettings: web['implicitGrantSettings'] ?? {
        enableIdTokenIssuance: false,
        enableAccessTokenIssuance: false,
      },
    },
  };
}

/** addPassword's 200 body: the only time the secret's text is shown. */
export function passwordCredentialBody(requested: Record<string, unknown>) {
  const secretText = `${randomUUID().slice(0, 4)}~${randomUUID().replaceAll('-', '')}`;
  return {
    customKeyIdentifier: null,
    endDateTime:
      requested['endDateTime'] ?? new Date(Date.now() + 2 * 365 * 86_400_000).toISOString(),
    keyId: randomUUID(),
    startDateTime: new Date().toISOString(),
    secretText,
    hint: secretText.slice(0, 3),
    displayName: requested['displayName'] ?? null,
  };
}

/** POST /servicePrincipals' 201 body. */
export function servicePrincipalBody(app: FakeApplication, tenantId: string) {
  return {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity',
    id: randomUUID(),
    deletedDateTime: null,
    accountEnabled: true,
    appDisplayName: app.displayName,
    appId: app.appId,
    appOwnerOrganizationId: tenantId,
    appRoleAssignmentRequired: false,
    displayName: app.displayName,
    homepage: null,
    logoutUrl: null,
    replyUrls: app.web.redirectUris,
    servicePrincipalNames: [app.appId],
    tags: [],
    addIns: [],
    appRoles: [],
    keyCredentials: [],
    oauth2PermissionScopes: [],
    passwordCredentials: [],
  };
}

/** GET /me's 200 body. */
export function userBody(me: { id: string; userPrincipalName: string }) {
  return {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
    businessPhones: [],
    displayName: 'Contoso Admin',
    givenName: 'Contoso',
    jobTitle: null,
    mail: me.userPrincipalName,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: 'en-US',
    surname: 'Admin',
    ...me,
  };
}

/** Writes a JSON answer (or an empty one, for 204). */
export function send(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(
    status,
    body === undefined ? headers : { 'content-type': 'application/json', ...headers },
  );
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

/** Writes Graph's error body; throttling adds the inner code and status, and Retry-After. */
export function sendError(res: ServerResponse, failure: FakeFailure): void {
  const date = new Date().toISOString().slice(0, 19);
  const innerError =
    failure.status === 429
      ? {
          code: '429',
          date,
          message: 'Please retry after',
          'request-id': randomUUID(),
          status: '429',
        }
      : { date, 'request-id': randomUUID(), 'client-request-id': randomUUID() };
  send(
    res,
    failure.status,
    { error: { code: failure.code, message: failure.message, innerError } },
    failure.retryAfter === undefined ? {} : { 'retry-after': failure.retryAfter },
  );
}
