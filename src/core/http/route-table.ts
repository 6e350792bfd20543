import type { AuthPaths } from './default-pages.js';
import type { AuthRequest, AuthResponse, ResponseDraft } from './auth-request.js';
import { backChannelLogout, frontChannelLogout } from './logout-channel-routes.js';
import type { RouteContext } from './route-context.js';
import { endOtherSessions, endSession, showSessions } from './sessions-routes.js';
import { finishSignIn, startSignIn } from './sign-in-routes.js';
import { showSignedOut, showSignOut, signOut } from './sign-out-routes.js';

/** One route of the library: its method and path (under the prefix). */
export interface AuthRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
}

export type Handler = (
  context: RouteContext,
  request: AuthRequest,
  draft: ResponseDraft,
) => Promise<AuthResponse>;

/** The library's routes: method, path and handler. */
export function routesOf(paths: AuthPaths): [AuthRoute['method'], string, Handler][] {
  const routes: [AuthRoute['method'], string, Handler][] = [
    ['GET', paths.signIn, startSignIn],
    ['GET', paths.redirect, finishSignIn],
    ['GET', paths.signOut, showSignOut],
    ['POST', paths.signOut, signOut],
    ['GET', paths.postSignOut, showSignedOut],
    ['GET', paths.frontChannelLogout, frontChannelLogout],
    ['POST', paths.backChannelLogout, backChannelLogout],
  ];
  if (paths.sessions !== null) {
    routes.push(
      ['GET', paths.sessions, showSessions],
      ['POST', `${paths.sessions}/end`, endSession],
      ['POST', `${paths.sessions}/end_others`, endOtherSessions],
    );
  }
  return routes;
}
