/**
 * `entra-signin`: the framework-free core. Importing it loads no web framework, store driver or
 * identity provider; the adapters (`entra-signin/fastify`, `/express`, `/fetch`), the stores
 * (`/sqlite`, `/redis`) and the development identity provider (`/dev-idp`) are subpaths of their
 * own. Everything not exported here is internal and may change.
 */
export { EntraSignIn, type AuthRoute, type EntraSignInRuntime } from './core/entra-signin.js';
export { createEntraSignIn } from './core/create-entra-signin.js';
export { fromEnv, resolveFromEnv, envNameOf, type FromEnvOptions } from './core/from-env.js';
export {
  resolveOptions,
  DEV_CLIENT_ID,
  DEV_TENANT_ID,
  type ClientAuthMethod,
  type ApiOptions,
  type ClientAssertionOption,
  type ClientCertificate,
  type FederatedTokenFileOption,
  type ManagedIdentityOption,
  type DevelopmentProviderOptions,
  type EntraSignInOptions,
  type ResolvedOptions,
  type SessionOptions,
} from './core/options.js';
export { AppError, describeError, errorCodes, isAppError, type ErrorCode } from './core/errors.js';
export type {
  EndedBy,
  EventContext,
  EventPerson,
  SignInEvent,
  SignInEventType,
} from './core/events.js';
export type { Logger } from './core/logger.js';
export type { SignInMetrics, TokenRefreshMeasurement } from './core/metrics.js';
export type { SignedInPerson } from './core/signed-in-person.js';
export type { AuthRequest, AuthResponse } from './core/http/auth-request.js';
export {
  defaultPages,
  escapeHtml,
  type AuthPaths,
  type PageContext,
  type PageRenderers,
  type SessionsNotice,
} from './core/http/default-pages.js';
export type { ActiveSession } from './core/session/session-manager.js';
export type { OwnSession, PersonWithSessions } from './core/session/session-directory.js';
export { describeDevice, type DeviceDescription } from './core/session/device.js';
export type {
  AppSessionData,
  DeviceAtSignIn,
  KeyedSession,
  SessionData,
  SessionStore,
  SignedInUser,
  StoredSession,
} from './core/session/session-store.js';
export { MemorySessionStore } from './core/session/memory-store.js';
export { sanitizeReturnTo } from './core/return-to.js';
export type { AccessToken } from './core/tokens/api-tokens.js';
export type { GraphRequest } from './core/tokens/graph-client.js';
export { claimsChallengeOf } from './core/tokens/claims-challenge.js';
export type { AccessDecision, AccessRule } from './core/access-rule.js';
