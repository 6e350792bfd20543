/**
 * `entra-signin/dev-idp`: the development identity provider (oidc-provider shaped like Entra ID
 * v2.0, with demo accounts and a development fake of Microsoft Graph), for running and testing a
 * host app with no tenant. It refuses to run in production. `createEntraSignIn` starts it by
 * itself when the options name it.
 */
export {
  startDevIdp,
  devGraphUrl,
  type DevIdp,
  type DevIdpOptions,
  type DevSigningKey,
} from './dev-idp.js';
export { startDevIdpForOptions } from './start-for-options.js';
export { demoAccounts, type DevAccount } from './accounts.js';
