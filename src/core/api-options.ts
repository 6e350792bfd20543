/**
 * The `api` options resolved: which scopes the sign-in asks for on behalf of APIs, where
 * Microsoft Graph is, and the keys that encrypt the tokens at rest.
 */
import { GLOBAL_CLOUD, microsoftCloudOf } from './entra/microsoft-clouds.js';
import { isLoopbackHost } from './loopback.js';
import type { ApiSettings, DevIdpSettings, SettingNamer } from './option-types.js';

/** The least length of a token encryption key (as of a session secret). */
const MIN_KEY_LENGTH = 32;

interface ApiInput {
  readonly api: {
    readonly scopes?: string | undefined;
    readonly graphUrl?: string | undefined;
    readonly tokenEncryptionKeys?: string | readonly string[] | undefined;
    readonly clientCapabilities?: readonly string[] | undefined;
  };
}

export function resolveApi(
  o: ApiInput,
  authority: string,
  devIdp: DevIdpSettings | null,
  sessionSecrets: readonly string[],
  nameOf: SettingNamer,
  problems: string[],
): ApiSettings {
  const host = URL.canParse(authority) ? new URL(authority).hostname : '';
  const entra = devIdp !== null || isEntraHost(host);
  // `User.Read` means Microsoft Graph to Entra only; another provider would refuse the scope.
  const scopes = (o.api.scopes ?? (entra ? 'User.Read' : '')).split(/\s+/).filter(Boolean);
  for (const reserved of ['openid', 'profile', 'email', 'offline_access']) {
    if (scopes.includes(reserved)) {
      problems.push(
        `${nameOf('api.scopes')} lists API scopes only; ${reserved} is asked for by the sign-in itself`,
      );
    }
  }
  // Another provider's tokens are not Graph's to receive: no Graph unless one is named.
  // Each national cloud has its own Graph: a token from one is refused by the others.
  const defaultGraph = entra ? (microsoftCloudOf(host) ?? GLOBAL_CLOUD).graphUrl : '';
  const graphUrl =
    o.api.graphUrl ?? (devIdp !== null ? `http://127.0.0.1:${devIdp.port}` : defaultGraph);
  if (graphUrl !== '') checkGraphUrl(graphUrl, nameOf, problems);
  const given = o.api.tokenEncryptionKeys;
  const keys = given === undefined ? sessionSecrets : typeof given === 'string' ? [given] : given;
  if (given !== undefined && (keys.length === 0 || keys.some((k) => k.length < MIN_KEY_LENGTH))) {
    problems.push(
      `${nameOf('api.tokenEncryptionKeys')} must be at least ${MIN_KEY_LENGTH} characters (each, when you list several separated by commas)`,
    );
  }
  return Object.freeze({
    scopes: Object.freeze(scopes),
    graphUrl: graphUrl.replace(/\/+$/, ''),
    tokenKeys: Object.freeze([...keys]),
    clientCapabilities: Object.freeze([...(o.api.clientCapabilities ?? ['cp1'])]),
  });
}

function isEntraHost(host: string): boolean {
  return microsoftCloudOf(host) !== undefined || host.endsWith('.ciamlogin.com');
}

// Graph is where the person's access tokens go: only an origin over https (http for this
// machine alone, as for the development fake) is accepted.
function checkGraphUrl(value: string, nameOf: SettingNamer, problems: string[]): void {
  const url = URL.canParse(value) ? new URL(value) : null;
  const plainOrigin =
    url !== null &&
    (url.pathname === '/' || url.pathname === '') &&
    url.search === '' &&
    url.hash === '';
  const safeScheme =
    url !== null &&
    (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname)));
  if (!plainOrigin || !safeScheme || url.username !== '' || url.password !== '') {
    problems.push(
      `${nameOf('api.graphUrl')} must be an https origin such as https://graph.microsoft.com (http only for this machine); you gave "${value}"`,
    );
  }
}
