/**
 * The application object `npm run register` makes or completes: its redirect URIs, sign-in
 * audience, the Graph permission people consent to, app roles and groups claim.
 */
import { addResourceAccess, GRAPH_USER_READ } from './add-resource-access.js';
import {
  createApplication,
  updateApplication,
  type GraphApplication,
  type SignInAudience,
} from './applications.js';
import type { GraphClient } from './graph-client.js';
import type { Progress } from './progress.js';
import type { RolesAndGroupsPlan } from './roles-and-groups.js';

/** What the application should have: its redirect URIs, audience, roles and groups claim. */
export interface WantedShape {
  readonly redirectUris: string[];
  readonly audience: SignInAudience;
  readonly plan: RolesAndGroupsPlan;
}

/** Creates the application as `shape` says (POST /applications). */
export async function createNew(
  graph: GraphClient,
  options: { readonly name: string },
  { redirectUris, audience, plan }: WantedShape,
  certificate: { der: string; subject: string } | null,
  progress: Progress,
): Promise<GraphApplication> {
  progress.step(`Creating the application "${options.name}" (${audience})`);
  const app = await createApplication(graph, {
    displayName: options.name,
    signInAudience: audience,
    redirectUris,
    requiredResourceAccess: [GRAPH_USER_READ],
    ...(certificate
      ? { certificate: { der: certificate.der, displayName: certificate.subject } }
      : {}),
    ...plan.change,
  });
  progress.done(
    [
      `Created: client id ${app.appId}, redirect URIs ${redirectUris.join(' and ')}, the Microsoft Graph User.Read delegated permission`,
      ...plan.added,
    ].join(', '),
  );
  return app;
}

/** Gives an existing application what `shape` lists and it lacks, keeping everything else. */
export async function updateExisting(
  graph: GraphClient,
  app: GraphApplication,
  { redirectUris, audience, plan }: WantedShape,
  progress: Progress,
): Promise<GraphApplication> {
  const current = app.web?.redirectUris ?? [];
  const missing = redirectUris.filter((uri) => !current.includes(uri));
  const audienceChanged = typeof app.signInAudience === 'string' && app.signInAudience !== audience;
  // Merged, not replaced: the registration may declare other APIs' permissions that someone added.
  const access = addResourceAccess(app.requiredResourceAccess, GRAPH_USER_READ);
  const sameRolesAndGroups = plan.added.length === 0;
  if (missing.length === 0 && !audienceChanged && access === null && sameRolesAndGroups) return app;
  progress.step('Updating the existing application');
  await updateApplication(graph, app.id, {
    ...(missing.length > 0 ? { redirectUris: [...current, ...missing] } : {}),
    ...(audienceChanged ? { signInAudience: audience } : {}),
    ...(access === null ? {} : { requiredResourceAccess: access }),
    ...plan.change,
  });
  const done = [
    missing.length > 0 ? `added redirect URIs ${missing.join(' and ')}` : '',
    audienceChanged ? `sign-in audience ${audience}` : '',
    access === null ? '' : 'added the Microsoft Graph User.Read delegated permission',
    ...plan.added.map((what) => `added ${what}`),
  ]
    .filter(Boolean)
    .join('; ');
  progress.done(done.charAt(0).toUpperCase() + done.slice(1));
  return app;
}
