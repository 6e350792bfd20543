/** The one place the command-line tools let openid-client talk plain http, and only to loopback. */
import * as oidc from 'openid-client';
import { isLoopbackHost } from '../app/config.js';

/**
 * Lets `configuration` send requests over plain http when `endpoint` is on this machine (the
 * development provider, the tests' fakes); anything else keeps openid-client's https-only rule.
 */
export function allowLoopbackHttp(configuration: oidc.Configuration, endpoint: string): void {
  const url = URL.canParse(endpoint) ? new URL(endpoint) : null;
  if (url?.protocol === 'http:' && isLoopbackHost(url.hostname)) {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- flagged so that it is seen; used for loopback only
    oidc.allowInsecureRequests(configuration);
  }
}
