/**
 * `npm run register -- --federated ISSUER,SUBJECT` and `--federated-managed-identity
 * PRINCIPAL_ID`: federated identity credentials on the registration, so that the app signs in to
 * Entra with a token its platform issues (AKS workload identity, a user-assigned managed
 * identity, any OIDC issuer) instead of a secret. A re-run finds the credential by issuer and
 * subject, which Entra keeps unique per application, and adds nothing.
 * See https://learn.microsoft.com/graph/api/resources/federatedidentitycredential.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { tokenExchangeAudienceFor } from '../../core/entra/token-exchange-audience.js';
import { GUID } from '../../core/guid.js';
import { FlagRefused } from './cli-io.js';
import { parseGraphAnswer as parse, type GraphClient } from './graph-client.js';
import type { Progress } from './progress.js';

/** What a flag asks for, before the tenant is known. */
export type FederatedRequest =
  | { readonly kind: 'issuer'; readonly issuer: string; readonly subject: string }
  | { readonly kind: 'managed-identity'; readonly principalId: string };

/** A federated identity credential, as Graph describes it. */
export interface FederatedCredential {
  readonly name: string;
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: readonly string[];
  readonly description: string;
}

/** What became of one request. */
export interface FederatedOutcome {
  readonly credential: FederatedCredential;
  readonly request: FederatedRequest;
  readonly outcome: 'added' | 'existed';
}

const credentialSchema = z.object({
  id: z.string(),
  name: z.string(),
  issuer: z.string(),
  subject: z.string(),
  audiences: z.array(z.string()).default([]),
});
const listSchema = z.object({ value: z.array(credentialSchema) });

/**
 * Reads the flags' values, before anything is signed in to: `ISSUER,SUBJECT` (split at the
 * first comma; the issuer an https URL, as Entra requires) and managed identities' object ids.
 */
export function readFederatedFlags(
  issuers: readonly string[],
  principals: readonly string[],
): FederatedRequest[] {
  const requests: FederatedRequest[] = issuers.map((value) => {
    const comma = value.indexOf(',');
    const issuer = value.slice(0, Math.max(comma, 0)).trim();
    const subject = value.slice(comma + 1).trim();
    const url = URL.canParse(issuer) ? new URL(issuer) : null;
    if (comma < 0 || subject === '' || url === null || url.protocol !== 'https:') {
      throw new FlagRefused(
        `--federated takes ISSUER,SUBJECT: the token issuer's https URL and the subject its tokens name, such as --federated https://oidc.prod-aks.azure.com/TENANT/ISSUER-ID/,system:serviceaccount:NAMESPACE:SERVICE-ACCOUNT; you gave "${value}"`,
      );
    }
    return { kind: 'issuer', issuer, subject };
  });
  for (const value of principals) {
    if (!GUID.test(value.trim())) {
      throw new FlagRefused(
        `--federated-managed-identity takes the object (principal) id of a user-assigned managed identity, a GUID (Azure portal: Managed Identities > the identity > Overview > Object (principal) ID; not its client id); you gave "${value}"`,
      );
    }
    requests.push({ kind: 'managed-identity', principalId: value.trim().toLowerCase() });
  }
  return requests;
}

/**
 * The credential a request stands for in this tenant and cloud: a managed identity's tokens are
 * issued by the tenant's own v2.0 issuer, for its object id; both kinds carry the cloud's token
 * exchange audience.
 */
function federatedCredentialFor(
  request: FederatedRequest,
  context: { readonly tenantId: string; readonly loginAuthority: string },
): FederatedCredential {
  const audiences = [tokenExchangeAudienceFor(context.loginAuthority)];
  const [issuer, subject, what] =
    request.kind === 'issuer'
      ? [request.issuer, request.subject, `tokens of ${request.issuer} for ${request.subject}`]
      : [
          `${new URL(context.loginAuthority).origin}/${context.tenantId}/v2.0`,
          request.principalId,
          `the managed identity ${request.principalId}`,
        ];
  return {
    name: credentialName(issuer, subject),
    issuer,
    subject,
    audiences,
    description: `Lets entra-signin authenticate with ${what} (added by npm run register).`.slice(
      0,
      600,
    ),
  };
}

/**
 * Adds each credential the registration lacks (POST …/federatedIdentityCredentials), after listing
 * what it has (GET): one with the same issuer and subject is kept as it is.
 */
export async function ensureFederatedCredentials(
  graph: GraphClient,
  objectId: string,
  requests: readonly FederatedRequest[],
  context: { readonly tenantId: string; readonly loginAuthority: string },
  progress: Progress,
): Promise<FederatedOutcome[]> {
  if (requests.length === 0) return [];
  const path = `/applications/${encodeURIComponent(objectId)}/federatedIdentityCredentials`;
  progress.step('Reading the registration’s federated credentials');
  const body = await graph.get(path, { action: 'list the federated credentials' });
  const existing = parse(listSchema, body, 'the federated credentials').value;
  progress.done(`It has ${existing.length}`);
  const outcomes: FederatedOutcome[] = [];
  for (const request of requests) {
    const credential = federatedCredentialFor(request, context);
    const found = existing.find(
      (c) => c.issuer === credential.issuer && c.subject === credential.subject,
    );
    const audience = credential.audiences[0] ?? '';
    progress.step(`Trusting ${describe(credential)}`);
    if (found === undefined) {
      await graph.post(path, credential, { action: 'add a federated credential' });
      existing.push({ id: '', ...credential, audiences: [...credential.audiences] });
      progress.done(`Added the federated credential ${credential.name}`);
      outcomes.push({ credential, request, outcome: 'added' });
    } else {
      progress.done(`The federated credential ${found.name} is there already`);
      // Another audience is someone's choice to keep: it works for tokens carrying exactly it.
      if (!found.audiences.includes(audience)) {
        progress.note(
          `Its audience is ${found.audiences.join(', ') || 'empty'}, not ${audience}: tokens must carry that audience, or Entra refuses them (AADSTS700212). Change it in the Entra admin center (Certificates & secrets > Federated credentials) if that is not what the platform issues.`,
        );
      }
      outcomes.push({
        credential: { ...credential, name: found.name, audiences: found.audiences },
        request,
        outcome: 'existed',
      });
    }
  }
  return outcomes;
}

function describe(credential: FederatedCredential): string {
  return `issuer ${credential.issuer}, subject ${credential.subject}, audience ${credential.audiences.join(', ')}`;
}

// Entra's rules for a name: 3 to 120 characters, letters, digits, - and _, starting with a letter
// or digit; unique on the application. The subject's letters keep it readable, the hash unique.
function credentialName(issuer: string, subject: string): string {
  const readable = subject
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  const hash = createHash('sha256').update(`${issuer}\n${subject}`).digest('hex').slice(0, 10);
  return `entra-signin-${readable === '' ? '' : `${readable}-`}${hash}`;
}
