import { createCluster, type RedisClusterType } from 'redis';
import type { RedisClusterSpec } from '../core/option-checks.js';
import { reconnectDelay, withDeadline, type RedisConnectionSettings } from './redis-store-base.js';

/**
 * A node-redis cluster client that keeps trying until it first reaches the cluster. Once it has,
 * node-redis keeps each node's connection (reconnecting forever, see `defaults`) and follows
 * the cluster's changes (MOVED, failovers); but it gives up at once on a cluster it could not
 * reach when it started, so that first connection is retried here, with the same back-off.
 */
export class ClusterConnection {
  readonly #spec: RedisClusterSpec;
  readonly #settings: RedisConnectionSettings;
  #cluster: RedisClusterType | null = null;
  #attempt: RedisClusterType | null = null;
  #initialConnection: Promise<void> | null;
  #closed = false;

  /** Starts connecting without waiting for it. */
  constructor(spec: RedisClusterSpec, settings: RedisConnectionSettings) {
    this.#spec = spec;
    this.#settings = settings;
    // A process that has just started may get a request before the cluster is reached; calls
    // wait for that, at most a connect timeout, but never for later reconnections.
    const connected = this.#connectForever();
    this.#initialConnection = Promise.race([connected, sleep(settings.connectTimeoutMs)]).then(
      () => {
        this.#initialConnection = null;
      },
    );
  }

  /** The cluster client, or a rejection while the cluster has never been reached. */
  async client(): Promise<RedisClusterType> {
    if (this.#cluster === null && this.#initialConnection !== null) await this.#initialConnection;
    if (this.#cluster === null) throw new Error('The Redis Cluster could not be reached yet');
    return this.#cluster;
  }

  /** Stops trying, and closes the client: waiting for commands in flight, but never hanging. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#attempt?.destroy();
    const cluster = this.#cluster;
    if (cluster === null) return;
    await withDeadline(cluster.close(), this.#settings.commandTimeoutMs).catch(() =>
      cluster.destroy(),
    );
  }

  async #connectForever(): Promise<void> {
    // Discovery asks the root nodes one after another, then connects to every primary; a
    // primary that does not answer would hold it for good, so an attempt has a deadline.
    const { connectTimeoutMs, commandTimeoutMs, maxReconnectDelayMs } = this.#settings;
    const attemptMs = (this.#spec.nodes.length + 1) * connectTimeoutMs + commandTimeoutMs;
    for (let retries = 0; !this.#closed; retries += 1) {
      const cluster = this.#create();
      this.#attempt = cluster;
      try {
        await withDeadline(cluster.connect(), attemptMs);
        this.#attempt = null;
        // close() may have come while this attempt was under way.
        if (this.#isClosed()) cluster.destroy();
        else this.#cluster = cluster;
        return;
      } catch {
        // A fresh client each time: a failed one may still hold connections in the making.
        this.#attempt = null;
        cluster.destroy();
        await sleep(reconnectDelay(retries, maxReconnectDelayMs));
      }
    }
  }

  // A method, not the field, so that the check after an await is not narrowed away.
  #isClosed(): boolean {
    return this.#closed;
  }

  #create(): RedisClusterType {
    const { nodes, username, password, tls } = this.#spec;
    const { connectTimeoutMs, commandTimeoutMs, maxReconnectDelayMs } = this.#settings;
    const cluster = createCluster({
      rootNodes: nodes.map(({ host, port }) => ({ socket: { host, port } })),
      // Every connection, to the root nodes and to the nodes they name, is made from these.
      defaults: {
        ...(username === undefined ? {} : { username }),
        ...(password === undefined ? {} : { password }),
        // As for a single server: no queue while a node is down, so calls on its slots fail at
        // once (503) instead of hanging, and reconnection that never gives up.
        disableOfflineQueue: true,
        commandsQueueMaxLength: 10_000,
        socket: {
          tls,
          connectTimeout: connectTimeoutMs,
          reconnectStrategy: (retries: number) => reconnectDelay(retries, maxReconnectDelayMs),
        },
      },
      commandOptions: { timeout: commandTimeoutMs },
    });
    // Without a listener an 'error' event would crash the process; the failures reach callers
    // as rejected commands instead.
    cluster.on('error', () => undefined);
    return cluster;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
