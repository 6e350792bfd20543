/**
 * `npm run doctor`: checks the set-up in order, from the settings to the registration, each
 * result as it comes. A check that needs an earlier one's answer is skipped when that one failed.
 */
import type { LoadConfigOptions } from '../../app/config.js';
import { clientAssertionSourceFor } from '../../core/credentials/client-assertion-source.js';
import type { ProviderFetch } from '../../core/provider/provider-connection.js';
import { ASSERTION_TITLE, checkClientAssertion } from './check-client-assertion.js';
import { checkClientCredentials } from './check-client-credentials.js';
import { checkClock } from './check-clock.js';
import { checkDeployment, containerSignOf, DOCKER_ENV_FILE } from './check-deployment.js';
import { checkDiscovery } from './check-discovery.js';
import { checkRegistration } from './check-registration.js';
import type { CheckResult } from './check-result.js';
import { checkSettings } from './check-settings.js';

/** Where the doctor reads settings from, and what it may replace in tests. */
export interface DoctorOptions extends LoadConfigOptions {
  /** This machine's clock in ms (tests move it). */
  readonly now?: () => number;
  /** How the provider is reached: the platform's `fetch` unless a test routes it elsewhere. */
  readonly providerFetch?: ProviderFetch;
  /** The file whose presence says Docker runs this process ({@link DOCKER_ENV_FILE}). */
  readonly dockerEnvFile?: string;
}

/** Runs the checks in order, yielding each result. */
export async function* runDoctor(options: DoctorOptions = {}): AsyncGenerator<CheckResult> {
  const now = options.now ?? Date.now;
  const providerFetch = options.providerFetch ?? ((url, init) => fetch(url, init));
  const { result, config, cli } = checkSettings(options);
  yield result;
  if (config === null || cli === null) return;
  const container = containerSignOf({
    dockerEnvFile: options.dockerEnvFile ?? DOCKER_ENV_FILE,
    env: options.env ?? process.env,
  });
  yield* checkDeployment(config, container);
  const redirect: CheckResult = {
    title: 'The redirect URIs the app will send',
    status: 'info',
    detail: `${config.redirectUri} (sign-in) and ${config.postSignOutRedirectUri} (after sign-out): the registration must list both, character for character.`,
  };
  if (config.devIdp) {
    const skip = (title: string): CheckResult => ({
      title,
      status: 'skip',
      detail:
        'The development identity provider is started by npm start, with credentials of its own.',
    });
    yield skip('The authority’s discovery document is reachable and its issuer matches');
    yield skip('The client credentials work');
    yield skip('This machine’s clock agrees with the provider’s');
    yield redirect;
    yield skip('The app registration lists the redirect URIs the app sends');
    return;
  }

  const discovery = await checkDiscovery(config, now, providerFetch);
  yield discovery.result;
  // One source for both checks, as in the app: a managed identity's token is fetched once.
  const { clientAssertion, timeoutSeconds, clockToleranceSeconds } = config.oidc;
  const assertions =
    clientAssertion === null
      ? null
      : clientAssertionSourceFor(clientAssertion, {
          fetch: providerFetch,
          now,
          timeoutMs: timeoutSeconds * 1000,
          clockToleranceSeconds,
        });
  const assertion =
    clientAssertion === null || assertions === null
      ? null
      : await checkClientAssertion(config, clientAssertion, assertions);
  if (assertion !== null) yield assertion;
  if (discovery.metadata === null || assertion?.status === 'fail') {
    yield {
      title: 'The client credentials work',
      status: 'skip',
      detail: `Needs ${discovery.metadata === null ? 'the discovery document' : `what “${ASSERTION_TITLE}” checks`}.`,
    };
  } else {
    yield await checkClientCredentials(config, discovery.metadata, {
      graphUrl: cli.graphUrl,
      providerFetch,
      assertions,
    });
  }
  yield checkClock(discovery.clock, config.oidc.clockToleranceSeconds);
  yield redirect;
  yield await checkRegistration(config, cli);
}
