/**
 * The Microsoft Graph v1.0 calls that register the app: applications, their secrets and owners
 * (service principals are in `service-principals.ts`). Each function is one documented endpoint;
 * answers are checked with zod so that a surprise fails here, with a message, rather than later
 * with `undefined`. See https://learn.microsoft.com/graph/api/resources/application.
 */
import { z } from 'zod';
import type { RequiredResourceAccess } from './add-resource-access.js';
import type { AppRole } from './app-roles.js';
import {
  GraphError,
  odataString,
  parseGraphAnswer as parse,
  type GraphClient,
} from './graph-client.js';

// Loose objects: the whole collection is sent back on PATCH, so nothing Graph adds may be dropped.
const requiredResourceAccessSchema = z.looseObject({
  resourceAppId: z.string(),
  resourceAccess: z.array(z.looseObject({ id: z.string(), type: z.string() })).default([]),
});
const appRoleSchema = z.looseObject({
  id: z.string(),
  value: z.string().nullable().optional(),
  isEnabled: z.boolean().optional(),
  allowedMemberTypes: z.array(z.string()).optional(),
});

const applicationSchema = z.object({
  id: z.string(),
  appId: z.string(),
  displayName: z.string().nullable().optional(),
  signInAudience: z.string().nullable().optional(),
  web: z
    .object({ redirectUris: z.array(z.string()).default([]) })
    .nullable()
    .optional(),
  requiredResourceAccess: z.array(requiredResourceAccessSchema).default([]),
  appRoles: z.array(appRoleSchema).default([]),
  groupMembershipClaims: z.string().nullable().optional(),
});

/** An application object, with the properties we use. */
export type GraphApplication = z.infer<typeof applicationSchema>;

const collectionSchema = z.object({ value: z.array(applicationSchema) });
const passwordSchema = z.object({
  secretText: z.string(),
  keyId: z.string(),
  endDateTime: z.string().nullable().optional(),
});
const userSchema = z.object({
  id: z.string(),
  userPrincipalName: z.string().nullable().optional(),
});

/** The signed-in user (GET /me). */
export type GraphUser = z.infer<typeof userSchema>;

/** Single tenant, or any organisation's accounts (no personal accounts). */
export type SignInAudience = 'AzureADMyOrg' | 'AzureADMultipleOrgs';

/** What the new application should look like. */
export interface ApplicationSpec {
  readonly displayName: string;
  readonly signInAudience: SignInAudience;
  readonly redirectUris: readonly string[];
  /** The API permissions it declares, which people consent to at sign-in. */
  readonly requiredResourceAccess: readonly RequiredResourceAccess[];
  /** A certificate's public part (DER, base64), uploaded as a key credential. */
  readonly certificate?: { readonly der: string; readonly displayName: string };
  /** The app roles people can be given (`--app-role`). */
  readonly appRoles?: readonly AppRole[];
  /** Which groups tokens list (`--groups`: `SecurityGroup`). */
  readonly groupMembershipClaims?: string;
}

const NO_IMPLICIT_GRANT = { enableIdTokenIssuance: false, enableAccessTokenIssuance: false };

/** Applications with exactly this display name (GET /applications?$filter=displayName eq '…'). */
export async function findApplicationsByName(
  graph: GraphClient,
  name: string,
): Promise<GraphApplication[]> {
  const filter = encodeURIComponent(`displayName eq ${odataString(name)}`);
  const body = await graph.get(`/applications?$filter=${filter}`, {
    action: 'list applications',
  });
  return parse(collectionSchema, body, 'the list of applications').value;
}

/** The application with this Application (client) ID, or `null`. */
export async function findApplicationByAppId(
  graph: GraphClient,
  appId: string,
): Promise<GraphApplication | null> {
  const filter = encodeURIComponent(`appId eq ${odataString(appId)}`);
  const body = await graph.get(`/applications?$filter=${filter}`, {
    action: 'look up the application',
  });
  return parse(collectionSchema, body, 'the list of applications').value[0] ?? null;
}

/**
 * Creates the application (POST /applications). ID tokens come from the token endpoint in the
 * authorization code flow, so neither implicit grant is enabled: the README tells people to leave
 * both boxes unticked, and RFC 9700 §2.1.2 advises against the implicit grant.
 */
export async function createApplication(
  graph: GraphClient,
  spec: ApplicationSpec,
): Promise<GraphApplication> {
  const body = await graph.post(
    '/applications',
    {
      displayName: spec.displayName,
      signInAudience: spec.signInAudience,
      web: {
        redirectUris: [...spec.redirectUris],
        implicitGrantSettings: NO_IMPLICIT_GRANT,
      },
      requiredResourceAccess: spec.requiredResourceAccess,
      ...(spec.certificate === undefined
        ? {}
        : {
            keyCredentials: [
              {
                type: 'AsymmetricX509Cert',
                usage: 'Verify',
                key: spec.certificate.der,
                displayName: spec.certificate.displayName,
              },
            ],
          }),
      ...(spec.appRoles === undefined ? {} : { appRoles: spec.appRoles }),
      ...(spec.groupMembershipClaims === undefined
        ? {}
        : { groupMembershipClaims: spec.groupMembershipClaims }),
    },
    { action: 'create the application' },
  );
  return parse(applicationSchema, body, 'the new application');
}

/**
 * Changes what is given (PATCH /applications/{id}): the web redirect URIs, the audience, the
 * declared API permissions, the app roles, the groups claim. Each collection is sent whole,
 * replacing the registration's.
 */
export async function updateApplication(
  graph: GraphClient,
  objectId: string,
  change: {
    redirectUris?: readonly string[];
    signInAudience?: SignInAudience;
    requiredResourceAccess?: readonly RequiredResourceAccess[];
    appRoles?: readonly AppRole[];
    groupMembershipClaims?: string;
  },
): Promise<void> {
  await graph.patch(
    `/applications/${encodeURIComponent(objectId)}`,
    {
      // `web` is replaced as a whole, so the implicit grant settings are restated.
      ...(change.redirectUris === undefined
        ? {}
        : {
            web: {
              redirectUris: [...change.redirectUris],
              implicitGrantSettings: NO_IMPLICIT_GRANT,
            },
          }),
      ...(change.signInAudience === undefined ? {} : { signInAudience: change.signInAudience }),
      ...(change.requiredResourceAccess === undefined
        ? {}
        : { requiredResourceAccess: change.requiredResourceAccess }),
      ...(change.appRoles === undefined ? {} : { appRoles: change.appRoles }),
      ...(change.groupMembershipClaims === undefined
        ? {}
        : { groupMembershipClaims: change.groupMembershipClaims }),
    },
    { action: 'update the application' },
  );
}

/** Adds a client secret that expires after `days` (POST /applications/{id}/addPassword). */
export async function addClientSecret(
  graph: GraphClient,
  objectId: string,
  options: { days: number; displayName: string; now: Date },
): Promise<{ secretText: string; keyId: string; endDateTime: string }> {
  const endDateTime = new Date(options.now.getTime() + options.days * 86_400_000).toISOString();
  const body = await graph.post(
    `/applications/${encodeURIComponent(objectId)}/addPassword`,
    { passwordCredential: { displayName: options.displayName, endDateTime } },
    { action: 'add a client secret' },
  );
  const password = parse(passwordSchema, body, 'the new client secret');
  return { ...password, endDateTime: password.endDateTime ?? endDateTime };
}

/**
 * Makes a user an owner (POST /applications/{id}/owners/$ref). Graph refuses a duplicate with a
 * 400 "One or more added object references already exist…", which a re-run expects.
 */
export async function addOwner(
  graph: GraphClient,
  graphUrl: string,
  objectId: string,
  userId: string,
): Promise<'added' | 'existed'> {
  try {
    await graph.post(
      `/applications/${encodeURIComponent(objectId)}/owners/$ref`,
      { '@odata.id': `${graphUrl}/v1.0/directoryObjects/${userId}` },
      { action: 'add you as an owner' },
    );
    return 'added';
  } catch (error) {
    if (
      error instanceof GraphError &&
      error.status === 400 &&
      /already exist/i.test(error.graphMessage ?? '')
    ) {
      return 'existed';
    }
    throw error;
  }
}

/** The signed-in user (GET /me). */
export async function getSignedInUser(graph: GraphClient): Promise<GraphUser> {
  const body = await graph.get('/me', { action: 'read your profile' });
  return parse(userSchema, body, 'your profile');
}

/** Deletes the application (DELETE /applications/{id}); `false` when it was already gone. */
export async function deleteApplication(graph: GraphClient, objectId: string): Promise<boolean> {
  try {
    await graph.delete(`/applications/${encodeURIComponent(objectId)}`, {
      action: 'delete the application',
    });
    return true;
  } catch (error) {
    if (error instanceof GraphError && error.kind === 'not_found') return false;
    throw error;
  }
}
