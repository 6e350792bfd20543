import type { JsonWebKey } from 'node:crypto';
import type { DevAccount } from './accounts.js';

/** The development identity provider's client registration and port. */
export interface DevIdpOptions {
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  /**
   * The loopback IP address to listen on and to name in the issuer; `127.0.0.1` by default.
   * Only this machine: the app accepts an http authority on loopback alone.
   */
  readonly host?: string;
  readonly nodeEnv: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The app's name on the consent page; "Entra signin dev app" by default. */
  readonly clientName?: string;
  /**
   * A client certificate (PEM): the client then authenticates with assertions signed by its key
   * (private_key_jwt), as with a certificate credential in Entra, instead of the secret.
   */
  readonly clientCertificatePem?: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  /**
   * The RSA private key (JWK) that signs ID tokens; a new one each start by default. Give the
   * same one across restarts so that apps holding the provider's keys need not fetch them again.
   */
  readonly signingKey?: DevSigningKey;
  /** Accounts besides the demo ones. */
  readonly extraAccounts?: readonly DevAccount[];
  /**
   * The client authentication methods the provider offers (and lists in its discovery document);
   * by default those Entra offers. Tests narrow it to play a provider that takes only one.
   */
  readonly clientAuthMethods?: readonly ('client_secret_basic' | 'client_secret_post')[];
}

/** An RSA private key as a JWK, with its `kid`. */
export interface DevSigningKey extends JsonWebKey {
  readonly kid: string;
}

/** A running development identity provider. */
export interface DevIdp {
  /** The issuer, shaped like Entra's: `http://127.0.0.1:PORT/{tenant-id}/v2.0` (or its host). */
  readonly issuer: string;
  readonly port: number;
  /**
   * The development Graph fake's URL, `http://127.0.0.1:PORT` (Graph's `/v1.0/...` below it; the
   * provider's host instead of 127.0.0.1 when given one),
   * which is also the resource its access tokens are for; see `devGraphUrl`.
   */
  readonly graphUrl: string;
  close(): Promise<void>;
}
