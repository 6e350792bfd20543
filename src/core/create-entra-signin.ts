import { EntraSignIn } from './entra-signin.js';
import type { EntraSignInRuntime } from './core-parts.js';
import { resolveOptions, type EntraSignInOptions, type ResolvedOptions } from './options.js';
import { openStore } from './session/open-store.js';

/**
 * Creates the core from options: validates them, opens the store they name, and starts the
 * development identity provider when they ask for it (loaded only then).
 *
 * @example
 * const signIn = await createEntraSignIn(fromEnv(process.env));
 */
export async function createEntraSignIn(
  options: EntraSignInOptions | ResolvedOptions,
  runtime: EntraSignInRuntime = {},
): Promise<EntraSignIn> {
  const resolved = isResolved(options) ? options : resolveOptions(options);
  const store = await openStore(resolved.session.store);
  const signIn = new EntraSignIn(resolved, store, runtime);
  if (resolved.devIdp !== null && runtime.startDevelopmentProvider !== false) {
    const { startDevIdpForOptions } = await import('../dev-idp/start-for-options.js');
    const idp = await startDevIdpForOptions(resolved);
    signIn.onClose(() => idp.close());
  }
  return signIn;
}

function isResolved(options: EntraSignInOptions | ResolvedOptions): options is ResolvedOptions {
  return 'oidc' in options && 'redirectUri' in options;
}
