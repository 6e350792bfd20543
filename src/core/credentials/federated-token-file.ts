import { readFile, stat } from 'node:fs/promises';
import { isAppError } from '../errors.js';
import {
  assertionUnavailable,
  readAssertionClaims,
  type AssertionRuntime,
  type ClientAssertionSource,
} from './client-assertion.js';
import { describeFailure } from '../describe-failure.js';

// A projected service account token is about a kilobyte; anything far larger is the wrong file.
const MAX_BYTES = 64 * 1024;

/**
 * The token in a file the platform renews: AKS workload identity projects the pod's service
 * account token to `AZURE_FEDERATED_TOKEN_FILE` and kubelet replaces it well before it expires.
 * The file is read again for every token request instead of being cached: it is small, it is read
 * only when the app talks to the token endpoint (a sign-in, a refresh), and kubelet swaps it
 * through a symlink, which a cache keyed on the file's mtime would have to follow exactly to
 * never send a token that was already replaced.
 *
 * @see https://azure.github.io/azure-workload-identity/docs/concepts.html
 */
export function federatedTokenFile(
  path: string,
  runtime: Pick<AssertionRuntime, 'now' | 'clockToleranceSeconds'>,
): ClientAssertionSource {
  return { assertion: () => readFederatedTokenFile(path, runtime) };
}

async function readFederatedTokenFile(
  path: string,
  runtime: Pick<AssertionRuntime, 'now' | 'clockToleranceSeconds'>,
): Promise<string> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_BYTES) {
      throw assertionUnavailable(
        `The federated token file ${path} is not a token file (a regular file of at most 64 KiB)`,
      );
    }
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if (isAppError(cause)) throw cause;
    throw assertionUnavailable(
      `The federated token file ${path} cannot be read (${describeFailure(cause)})`,
      cause,
    );
  }
  const token = text.trim();
  const claims = readAssertionClaims(token);
  if (claims === null) {
    throw assertionUnavailable(`The federated token file ${path} does not hold a JWT`);
  }
  // Sent anyway, Entra would refuse it (AADSTS700024) and blame the client's credentials.
  if (
    typeof claims.exp === 'number' &&
    claims.exp + runtime.clockToleranceSeconds <= runtime.now() / 1000
  ) {
    throw assertionUnavailable(
      `The token in the federated token file ${path} expired at ${new Date(claims.exp * 1000).toISOString()}: the platform no longer renews it`,
    );
  }
  return token;
}
