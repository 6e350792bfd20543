/**
 * What an application embedding entra-signin may use. Everything else is internal and may change.
 */
export { buildApp, type BuildAppOptions } from './app.js';
export { loadConfig, type Config, type LoadConfigOptions } from './config.js';
export { AppError, describeError, errorCodes, type ErrorCode } from './errors.js';
export { ProviderConnection } from './auth/provider-connection.js';
export {
  buildAuthorizationRequest,
  completeSignIn,
  matchAnswer,
  rememberAttempt,
  type AuthorizationRequest,
  type MatchedAnswer,
  type SignInOutcome,
} from './auth/sign-in.js';
export { buildSignOutUrl } from './auth/sign-out.js';
export { sanitizeReturnTo } from './auth/return-to.js';
export { SessionManager, type ActiveSession } from './session/session-manager.js';
export type {
  SessionData,
  SessionStore,
  SignedInUser,
  SignInAttempt,
  StoredSession,
} from './session/session-store.js';
export { MemorySessionStore } from './session/memory-store.js';
export { SqliteSessionStore } from './session/sqlite-store.js';
export { startDevIdp, type DevIdp, type DevIdpOptions } from './dev-idp/dev-idp.js';
