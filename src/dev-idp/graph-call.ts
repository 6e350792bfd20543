import type Provider from 'oidc-provider';
import type { DevAccount } from './accounts.js';
import type { DirectoryGroup } from './directory-groups.js';

/** What the Graph fake serves from. */
export interface GraphFake {
  readonly provider: Provider;
  /** The resource identifier its access tokens name as audience. */
  readonly resource: string;
  readonly accounts: readonly DevAccount[];
  /** The profile photos (PNG) by account oid, made once at start-up. */
  readonly photos: ReadonlyMap<string, Buffer>;
  /** The tenant's groups by object id. */
  readonly groups: ReadonlyMap<string, DirectoryGroup>;
}

/** A call the Graph fake answers: its bearer's account, with the URL's parameters and the body. */
export interface GraphCall {
  readonly fake: GraphFake;
  readonly account: DevAccount;
  readonly url: URL;
  /** The `{…}` segments of the route's path, in order. */
  readonly params: readonly string[];
  readonly contentType: string;
  /** The request body as text; empty for a GET. */
  readonly body: string;
}
