import * as oidc from 'openid-client';
import type { SignedInUser } from '../session/session-store.js';
import type { ProviderConnection } from '../provider/provider-connection.js';

/**
 * The provider's end-session URL for RP-initiated logout, or `null` when the provider has none
 * (then the app's own sign-out is all there is). `logout_hint` is preferred to `id_token_hint`
 * when the token carried Entra's `login_hint` claim: it picks the account without a prompt.
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html
 * @see https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#send-a-sign-out-request
 */
export async function buildSignOutUrl(
  provider: ProviderConnection,
  user: SignedInUser,
  postSignOutRedirectUri: string,
  state: string,
): Promise<URL | null> {
  const configuration = await provider.configuration();
  if (configuration.serverMetadata().end_session_endpoint === undefined) return null;
  const loginHint = user.claims['login_hint'];
  const hint: Record<string, string> =
    typeof loginHint === 'string' ? { logout_hint: loginHint } : { id_token_hint: user.idToken };
  return oidc.buildEndSessionUrl(configuration, {
    post_logout_redirect_uri: postSignOutRedirectUri,
    client_id: provider.settings.clientId,
    // Optional in RP-Initiated Logout 1.0 §2, yet some providers only send the browser back to
    // post_logout_redirect_uri with it; the app checks it there.
    state,
    ...hint,
  });
}
