/**
 * A small Microsoft Graph v1.0 client over `fetch`: JSON in and out, retries when Graph throttles
 * (honouring `Retry-After`), and errors that say what to do.
 * See https://learn.microsoft.com/graph/errors and https://learn.microsoft.com/graph/throttling.
 */
import type { z } from 'zod';
import { describeFailure } from '../../core/describe-failure.js';
import type { Progress } from './progress.js';

/** What went wrong, in the terms the person can act on. */
export type GraphErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'throttled'
  | 'unreachable'
  | 'rejected';

/** A failed Graph call. `message` is safe to print: it never holds the token. */
export class GraphError extends Error {
  override readonly name = 'GraphError';
  readonly kind: GraphErrorKind;
  /** The HTTP status, or 0 when Graph could not be reached. */
  readonly status: number;
  /** Graph's own error code (`Authorization_RequestDenied`, …), when it sent one. */
  readonly graphCode: string | undefined;
  /** Graph's own message, when it sent one. */
  readonly graphMessage: string | undefined;

  constructor(
    kind: GraphErrorKind,
    message: string,
    details: { status: number; graphCode?: string; graphMessage?: string; cause?: unknown },
  ) {
    super(message, { cause: details.cause });
    this.kind = kind;
    this.status = details.status;
    this.graphCode = details.graphCode;
    this.graphMessage = details.graphMessage;
  }
}

/** Where Graph is, the token to call it with, and how to wait when throttled. */
export interface GraphClientOptions {
  /** Graph's origin, such as `https://graph.microsoft.com`; `/v1.0` is added here. */
  readonly baseUrl: string;
  readonly token: string;
  /** How often a throttled call is tried again before giving up. */
  readonly maxRetries?: number;
  /** Waits between retries (tests record the delays instead of waiting). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told before each wait, so that the person sees why nothing happens. */
  readonly onRetry?: (seconds: number, attempt: number) => void;
  readonly timeoutMs?: number;
}

/** What a call is for, in words ("create the application"), used in error messages. */
export interface GraphCallOptions {
  readonly action: string;
}

const RETRY_STATUSES = new Set([429, 503, 504]);
const MAX_WAIT_SECONDS = 120;

// Creating and changing applications needs this delegated permission, and in tenants where users
// may not register applications, one of these directory roles.
const PERMISSION_ADVICE =
  'The account needs the Application Developer role (or Cloud Application Administrator / Application Administrator) in the tenant, and the token needs the delegated permission Application.ReadWrite.All (an administrator may have to consent to it). Ask an administrator, or sign in as one.';

/** A Microsoft Graph v1.0 client for one access token. */
export class GraphClient {
  readonly #options: GraphClientOptions;

  constructor(options: GraphClientOptions) {
    this.#options = options;
  }

  /** GET a path such as `/me` or `/applications?$filter=…`; the parsed JSON body. */
  get(path: string, call: GraphCallOptions): Promise<unknown> {
    return this.request('GET', path, undefined, call);
  }

  post(path: string, body: unknown, call: GraphCallOptions): Promise<unknown> {
    return this.request('POST', path, body, call);
  }

  patch(path: string, body: unknown, call: GraphCallOptions): Promise<unknown> {
    return this.request('PATCH', path, body, call);
  }

  delete(path: string, call: GraphCallOptions): Promise<unknown> {
    return this.request('DELETE', path, undefined, call);
  }

  /** Sends one call, retrying while Graph throttles; `undefined` for `204 No Content`. */
  async request(
    method: string,
    path: string,
    body: unknown,
    call: GraphCallOptions,
  ): Promise<unknown> {
    const maxRetries = this.#options.maxRetries ?? 5;
    for (let attempt = 1; ; attempt++) {
      const response = await this.#send(method, path, body);
      if (RETRY_STATUSES.has(response.status) && attempt <= maxRetries) {
        const seconds = retryDelaySeconds(response.headers.get('retry-after'), attempt);
        await response.body?.cancel();
        this.#options.onRetry?.(seconds, attempt);
        await (this.#options.sleep ?? sleep)(seconds * 1000);
        continue;
      }
      if (response.status === 204) return undefined;
      const text = await response.text();
      if (response.ok) return text === '' ? undefined : (JSON.parse(text) as unknown);
      throw this.#failure(response.status, text, call, maxRetries);
    }
  }

  /**
   * Runs `call`, and again while `isLag` says its failure is Graph's replication lag (something
   * changed a moment ago that the replica answering has not seen yet): `retries` times, `delayMs`
   * apart, waiting with this client's `sleep`. Throttling is retried inside each call already.
   */
  async retryWhileReplicating<T>(
    call: () => Promise<T>,
    isLag: (error: unknown) => boolean,
    { retries = 5, delayMs = 5000 }: { readonly retries?: number; readonly delayMs?: number } = {},
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!isLag(error) || attempt >= retries) throw error;
      }
      await (this.#options.sleep ?? sleep)(delayMs);
    }
  }

  async #send(method: string, path: string, body: unknown): Promise<Response> {
    const url = `${this.#options.baseUrl}/v1.0${path}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.#options.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new GraphError(
        'unreachable',
        `Could not reach Microsoft Graph at ${this.#options.baseUrl}: ${describeFailure(error, { form: 'sentence', timeout: 'no answer in time' })}. Check the network connection and GRAPH_URL, then run the command again.`,
        { status: 0, cause: error },
      );
    }
  }

  #failure(status: number, text: string, call: GraphCallOptions, retries: number): GraphError {
    const { code, message } = parseGraphError(text);
    const said = code === undefined ? `HTTP ${status}` : `${code}: ${message ?? ''}`.trim();
    const details = {
      status,
      ...(code === undefined ? {} : { graphCode: code }),
      ...(message === undefined ? {} : { graphMessage: message }),
    };
    const failed = `Microsoft Graph refused to ${call.action} (${said}).`;
    switch (true) {
      case status === 401:
        return new GraphError(
          'unauthorized',
          `${failed} The access token is expired or not meant for Microsoft Graph: get a new one (az account get-access-token --resource https://graph.microsoft.com), or unset GRAPH_TOKEN to sign in with a device code.`,
          details,
        );
      case status === 403:
        return new GraphError('forbidden', `${failed} ${PERMISSION_ADVICE}`, details);
      case status === 404:
        return new GraphError('not_found', failed, details);
      case status === 409:
        return new GraphError('conflict', failed, details);
      case RETRY_STATUSES.has(status):
        return new GraphError(
          'throttled',
          `Microsoft Graph is still busy or throttling (HTTP ${status}) after ${retries} retries while trying to ${call.action}. Wait a few minutes and run the command again: it carries on where it stopped.`,
          details,
        );
      default:
        return new GraphError('rejected', failed, details);
    }
  }
}

/**
 * Graph's error body: `{"error":{"code":"…","message":"…","innerError":{…}}}`.
 * See https://learn.microsoft.com/graph/errors#json-representation.
 */
export function parseGraphError(text: string): { code?: string; message?: string } {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof body.error?.code === 'string' ? body.error.code : undefined;
    const message = typeof body.error?.message === 'string' ? body.error.message : undefined;
    return {
      ...(code === undefined ? {} : { code }),
      ...(message === undefined ? {} : { message }),
    };
  } catch {
    return {};
  }
}

/**
 * Seconds to wait: the server's `Retry-After` (seconds, possibly fractional, or an HTTP date),
 * else an exponential back-off; capped so that a wrong header cannot hang the command.
 */
export function retryDelaySeconds(retryAfter: string | null, attempt: number, now = Date.now()) {
  let seconds = 2 ** attempt;
  if (retryAfter !== null && /^\d+(?:\.\d+)?$/.test(retryAfter.trim())) {
    seconds = Number(retryAfter);
  } else if (retryAfter !== null && !Number.isNaN(Date.parse(retryAfter))) {
    seconds = Math.max(0, (Date.parse(retryAfter) - now) / 1000);
  }
  return Math.min(Math.ceil(seconds), MAX_WAIT_SECONDS);
}

/**
 * `value` as an OData string literal, for a `$filter`: in single quotes, its own single quotes
 * doubled (the OData ABNF's `SQUOTE-in-string`).
 */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * `body` checked against `schema`: a surprise in Graph's answer fails here, with a message, rather
 * than later with `undefined`.
 */
export function parseGraphAnswer<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new GraphError('rejected', `Microsoft Graph sent ${what} in an unexpected shape.`, {
      status: 200,
      cause: result.error,
    });
  }
  return result.data;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A Graph client for the CLIs: the token's, at GRAPH_URL, telling the person when Graph throttles.
 */
export function graphClientFor(
  graphUrl: string,
  accessToken: string,
  progress: Pick<Progress, 'note'>,
  sleep?: (ms: number) => Promise<void>,
): GraphClient {
  return new GraphClient({
    baseUrl: graphUrl,
    token: accessToken,
    ...(sleep === undefined ? {} : { sleep }),
    onRetry: (seconds) =>
      progress.note(`Microsoft Graph asks us to slow down; trying again in ${seconds} s`),
  });
}
