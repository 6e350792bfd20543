/**
 * The doctor's deployment check: settings that parse and work, yet are known mistakes where the
 * app is deployed (the README's "Common mistakes, and what you see"). Each is a warning, not a
 * failure: the app starts with them, and on this machine they may be what you want.
 */
import { existsSync } from 'node:fs';
import { isLoopbackHost, type Config } from '../../app/config.js';
import type { CheckResult } from './check-result.js';

/** The file Docker creates at the root of every container. */
export const DOCKER_ENV_FILE = '/.dockerenv';

/** Where the signs of a container are looked for. */
export interface ContainerSigns {
  /** Docker's marker file, {@link DOCKER_ENV_FILE} (tests name another). */
  readonly dockerEnvFile: string;
  /** The environment: Kubernetes sets KUBERNETES_SERVICE_HOST in every pod. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What shows that this process runs in a container, as a phrase, or `null` when nothing does. */
export function containerSignOf(signs: ContainerSigns): string | null {
  if ((signs.env['KUBERNETES_SERVICE_HOST'] ?? '') !== '') return 'KUBERNETES_SERVICE_HOST is set';
  if (existsSync(signs.dockerEnvFile)) return `${signs.dockerEnvFile} exists`;
  return null;
}

const TITLE = 'The settings avoid the common deployment mistakes';

/**
 * One warning for each known deployment mistake in `config`, or one pass when there is none.
 * `container` is what {@link containerSignOf} found.
 */
export function checkDeployment(config: Config, container: string | null): CheckResult[] {
  const production = config.nodeEnv === 'production';
  const warnings: CheckResult[] = [];
  if (config.trustProxy === true) {
    warnings.push({
      title: 'TRUST_PROXY names the proxy',
      status: 'warn',
      detail:
        'TRUST_PROXY=true trusts whatever the client writes in X-Forwarded-For: anyone can choose the address that the logs, the audit events and the sessions page show for them.',
      fix: 'Name the proxy’s address instead: TRUST_PROXY=10.0.0.5, a range such as 10.0.0.0/24, or loopback for a proxy on this machine.',
    });
  }
  if (production && config.session.store === 'memory') {
    warnings.push({
      title: 'Sessions are kept where every instance finds them',
      status: 'warn',
      detail:
        'SESSION_STORE=memory with NODE_ENV=production: each instance keeps its own sessions; several instances or a restart sign people out.',
      fix: 'Set SESSION_STORE to a store that every instance shares and that outlives them: redis://HOST:PORT (rediss:// for TLS), or sqlite:PATH on lasting storage when the instances share one machine.',
    });
  }
  // Only in production: in a development container (or CI) the app is opened from inside it.
  if (production && container !== null && isLoopbackHost(config.host)) {
    warnings.push({
      title: 'The platform can reach the app',
      status: 'warn',
      detail: `HOST=${config.host} in a container (${container}): the app answers only inside the container, so the platform’s health check cannot reach it.`,
      fix: 'Set HOST=0.0.0.0: the container’s own network and the platform then decide who reaches it.',
    });
  }
  const base = new URL(config.baseUrl);
  // The core accepts this (a TLS-terminating proxy on this machine), but the cookie cannot be
  // Secure and the redirect URI is http: the public origin belongs here.
  if (production && base.protocol === 'http:' && isLoopbackHost(base.hostname)) {
    const cookie = config.session.cookieName;
    warnings.push({
      title: 'BASE_URL is the public https origin',
      status: 'warn',
      detail: `BASE_URL is ${config.baseUrl} with NODE_ENV=production: behind a TLS proxy the session cookie is not Secure (${cookie}, not __Host-${cookie}), and the redirect URI the app sends is http.`,
      fix: 'Set BASE_URL to the public https origin that people open, the one the proxy serves, such as https://signin.example.com.',
    });
  }
  if (warnings.length > 0) return warnings;
  const where = container === null ? '' : ` in a container (${container})`;
  return [
    {
      title: TITLE,
      status: 'pass',
      detail: production
        ? `TRUST_PROXY, SESSION_STORE, HOST and BASE_URL fit NODE_ENV=production${where}.`
        : 'TRUST_PROXY does not trust every client; SESSION_STORE, HOST and BASE_URL are checked with NODE_ENV=production.',
    },
  ];
}
