/**
 * Why a read or a request failed, in words: the one reading of a failed `fetch` (undici puts the
 * system's code on the error's `cause`) or file access, for log lines and for the command-line
 * tools' sentences alike.
 */

/** How {@link describeFailure} words what it found. */
export interface FailureWording {
  /** What a timeout is called; default `no answer within PROVIDER_TIMEOUT`. */
  readonly timeout?: string;
  /**
   * `log` (default): the words and the code, for searching (`connection refused, ECONNREFUSED`);
   * `sentence`: words a person at a terminal reads (`the connection was refused (nothing listens
   * there)`).
   */
  readonly form?: 'log' | 'sentence';
}

// The system codes people meet, in both forms.
const CODE_WORDS: Readonly<Record<string, { readonly log: string; readonly sentence: string }>> = {
  ENOENT: { log: 'no such file', sentence: 'there is no such file' },
  EACCES: { log: 'permission denied', sentence: 'permission was denied' },
  ECONNREFUSED: {
    log: 'connection refused',
    sentence: 'the connection was refused (nothing listens there)',
  },
  ECONNRESET: { log: 'connection reset', sentence: 'the connection was reset' },
  ENOTFOUND: { log: 'unknown host', sentence: 'the host name is not known (a typo, or no DNS)' },
  EAI_AGAIN: { log: 'unknown host', sentence: 'the host name is not known (a typo, or no DNS)' },
  UND_ERR_SOCKET: {
    log: 'connection closed without an answer',
    sentence: 'the connection closed without an answer',
  },
};

/**
 * A failure in words: a timeout anywhere in its causes, else the first system code (`ECONNREFUSED`,
 * a TLS code, …) in words where there are any, else the innermost error's message.
 */
export function describeFailure(error: unknown, wording: FailureWording = {}): string {
  const chain = causesOf(error);
  if (chain.some(isTimeout)) return wording.timeout ?? 'no answer within PROVIDER_TIMEOUT';
  const code = chain
    .map((link) => (link as { code?: unknown } | null)?.code)
    .find((c): c is string => typeof c === 'string');
  if (code !== undefined) {
    const words = Object.hasOwn(CODE_WORDS, code) ? CODE_WORDS[code] : undefined;
    if (words === undefined) return code;
    return wording.form === 'sentence' ? words.sentence : `${words.log}, ${code}`;
  }
  const innermost = chain.findLast((link) => link instanceof Error);
  return innermost instanceof Error ? innermost.message : 'unknown error';
}

// `error`, its cause, and so on: openid-client and undici wrap a few levels deep.
function causesOf(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let link = error; link !== undefined && chain.length < 5 && !chain.includes(link);) {
    chain.push(link);
    link = link instanceof Error ? link.cause : undefined;
  }
  return chain;
}

function isTimeout(link: unknown): boolean {
  if (link instanceof DOMException) return link.name === 'TimeoutError';
  return (link as { code?: unknown } | null)?.code === 'OAUTH_TIMEOUT';
}
