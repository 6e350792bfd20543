/**
 * A Microsoft Graph access token for the administrator: the one given in GRAPH_TOKEN, or one
 * obtained with the device code flow (RFC 8628) against the Entra authority, which works on any
 * machine with a terminal, including one without a browser.
 * See https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code.
 */
import * as oidc from 'openid-client';
import type { CliSettings } from '../../app/config.js';
import { allowLoopbackHttp } from '../allow-loopback-http.js';

/** The token, and how it was obtained (the tools say which). */
export interface GraphToken {
  readonly accessToken: string;
  readonly source: 'GRAPH_TOKEN' | 'device code';
  /** The tenant the token is for (its `tid` claim), when it says. */
  readonly tenantId: string | undefined;
}

/** What the person must do to finish a device code sign-in. */
export interface DeviceCodePrompt {
  readonly verificationUri: string;
  readonly userCode: string;
  /** Entra's own sentence, with the URL and the code. */
  readonly message: string;
}

/**
 * Gets a Graph token: GRAPH_TOKEN when set, else a device code sign-in that asks for
 * Application.ReadWrite.All, User.Read and `extraScopes` (Graph permission names).
 */
export async function obtainGraphToken(
  settings: CliSettings,
  onPrompt: (prompt: DeviceCodePrompt) => void,
  extraScopes: readonly string[] = [],
): Promise<GraphToken> {
  if (settings.graphToken !== undefined) {
    return {
      accessToken: settings.graphToken,
      source: 'GRAPH_TOKEN',
      tenantId: tenantOfToken(settings.graphToken),
    };
  }
  const accessToken = await signInWithDeviceCode(settings, onPrompt, extraScopes);
  return { accessToken, source: 'device code', tenantId: tenantOfToken(accessToken) };
}

/**
 * Runs the device code flow with Microsoft's public Graph client: asks the authority's
 * `/oauth2/v2.0/devicecode` endpoint for a code, shows it, and polls `/oauth2/v2.0/token` until the
 * person has signed in (openid-client handles `authorization_pending` and `slow_down`).
 */
async function signInWithDeviceCode(
  settings: CliSettings,
  onPrompt: (prompt: DeviceCodePrompt) => void,
  extraScopes: readonly string[] = [],
): Promise<string> {
  const authority = settings.loginAuthority;
  // Endpoints written out rather than discovered: the `organizations` metadata names a templated
  // issuer ("{tenantid}") that discovery would refuse, and only these two endpoints are needed.
  const configuration = new oidc.Configuration(
    {
      issuer: authority,
      token_endpoint: `${authority}/oauth2/v2.0/token`,
      device_authorization_endpoint: `${authority}/oauth2/v2.0/devicecode`,
    },
    settings.graphClientId,
    undefined,
    oidc.None(),
  );
  // Plain http only reaches a provider on this machine (the tests' fake Entra).
  allowLoopbackHttp(configuration, authority);
  const scope = ['Application.ReadWrite.All', 'User.Read', ...extraScopes]
    .map((permission) => `${settings.graphUrl}/${permission}`)
    .join(' ');
  const started = await oidc.initiateDeviceAuthorization(configuration, { scope });
  onPrompt({
    verificationUri: started.verification_uri,
    userCode: started.user_code,
    message:
      typeof started['message'] === 'string'
        ? started['message']
        : `Open ${started.verification_uri} and enter the code ${started.user_code}.`,
  });
  const tokens = await oidc.pollDeviceAuthorizationGrant(configuration, started);
  return tokens.access_token;
}

/**
 * The `tid` claim of a JWT access token, read without verifying it: it only tells which tenant
 * to write to `.env`. Graph itself verifies the token on every call.
 */
function tenantOfToken(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      tid?: unknown;
    };
    return typeof claims.tid === 'string' ? claims.tid : undefined;
  } catch {
    return undefined;
  }
}
