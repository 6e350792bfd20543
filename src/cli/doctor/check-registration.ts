/**
 * The doctor's registration check, when GRAPH_TOKEN is given: the app registration's web redirect
 * URIs contain the ones the app sends, so AADSTS50011 ("the redirect URI … does not match") is
 * caught before the first sign-in.
 */
import type { CliSettings, Config } from '../../app/config.js';
import { findApplicationByAppId } from '../registration/applications.js';
import { GraphClient, GraphError } from '../registration/graph-client.js';
import type { CheckResult } from './check-result.js';

const TITLE = 'The app registration lists the redirect URIs the app sends';

/** Looks the registration up by CLIENT_ID in Microsoft Graph and compares its redirect URIs. */
export async function checkRegistration(config: Config, cli: CliSettings): Promise<CheckResult> {
  if (cli.graphToken === undefined) {
    return {
      title: TITLE,
      status: 'skip',
      detail:
        'Set GRAPH_TOKEN (az account get-access-token --resource https://graph.microsoft.com --query accessToken -o tsv) to compare with the registration.',
    };
  }
  const graph = new GraphClient({ baseUrl: cli.graphUrl, token: cli.graphToken, maxRetries: 2 });
  let redirectUris: string[];
  try {
    const app = await findApplicationByAppId(graph, config.oidc.clientId);
    if (app === null) {
      return {
        title: TITLE,
        status: 'fail',
        detail: `Microsoft Graph has no application with CLIENT_ID ${config.oidc.clientId} in the tenant GRAPH_TOKEN is for.`,
        fix: 'Check CLIENT_ID (the Application (client) ID), and that GRAPH_TOKEN is for the same tenant as TENANT_ID; or run npm run register.',
      };
    }
    redirectUris = app.web?.redirectUris ?? [];
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    return {
      title: TITLE,
      status: 'fail',
      detail: error.message,
      fix:
        error.kind === 'unreachable' || error.kind === 'throttled'
          ? 'Check the network and GRAPH_URL, or unset GRAPH_TOKEN to skip this check.'
          : 'Give GRAPH_TOKEN a current Microsoft Graph token that may read applications (Application.Read.All), or unset it to skip this check.',
    };
  }
  const missing = [config.redirectUri, config.postSignOutRedirectUri].filter(
    (uri) => !redirectUris.includes(uri),
  );
  if (missing.length === 0) {
    return {
      title: TITLE,
      status: 'pass',
      detail: `Both ${config.redirectUri} and ${config.postSignOutRedirectUri} are registered.`,
    };
  }
  const signInBroken = missing.includes(config.redirectUri);
  return {
    title: TITLE,
    status: 'fail',
    detail: `The registration’s redirect URIs (${redirectUris.join(', ') || 'none'}) lack ${missing.join(' and ')}: ${
      signInBroken
        ? 'sign-in will fail with AADSTS50011.'
        : 'Entra will not send people back after sign-out.'
    }`,
    fix: `Add ${missing.join(' and ')}, exactly, under Authentication > Web > Redirect URIs (or run npm run register, which adds them); or set BASE_URL to the origin that is registered.`,
  };
}
