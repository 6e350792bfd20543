/**
 * What an application embedding entra-signin may use. Everything else is internal and may change.
 */
export { buildApp, type BuildAppOptions } from './app/build-app.js';
export { loadConfig, type Config, type LoadConfigOptions } from './app/config.js';
export { AppError, describeError, errorCodes, type ErrorCode } from './core/errors.js';
export { ProviderConnection } from './core/provider/provider-connection.js';
export {
  buildAuthorizationRequest,
  completeSignIn,
  matchAnswer,
  rememberAttempt,
  type AuthorizationRequest,
  type MatchedAnswer,
  type SignInOutcome,
} from './core/flows/sign-in.js';
export { buildSignOutUrl } from './core/flows/sign-out.js';
export { sanitizeReturnTo } from './core/return-to.js';
export { SessionManager, type ActiveSession } from './core/session/session-manager.js';
export type {
  SessionData,
  SessionStore,
  SignedInUser,
  SignInAttempt,
  StoredSession,
} from './core/session/session-store.js';
export { MemorySessionStore } from './core/session/memory-store.js';
export { SqliteSessionStore } from './stores/sqlite.js';
export { startDevIdp, type DevIdp, type DevIdpOptions } from './dev-idp/dev-idp.js';
