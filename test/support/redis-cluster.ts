import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from './free-port.js';

const REDIS_SERVER = process.env['REDIS_SERVER'] ?? 'redis-server';
const REDIS_CLI = process.env['REDIS_CLI'] ?? 'redis-cli';
const run = promisify(execFile);

/** One `redis-server` of a test cluster. */
export interface RedisClusterNode {
  readonly port: number;
  /** SIGSTOP: the process keeps its sockets open but answers nothing, like a hung host. */
  pause(): void;
  /** SIGCONT, after {@link RedisClusterNode.pause}. */
  resume(): void;
  /** SIGTERM (Redis writes its append-only file first), and waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, cluster config file and data folder. */
  restart(): Promise<void>;
  /** Runs one command on this node alone (through `redis-cli`), and gives its output. */
  command(...args: string[]): Promise<string>;
}

/** A real Redis Cluster on loopback: primaries, each with its replicas, all announcing 127.0.0.1. */
export interface RedisCluster {
  /** `redis-cluster://127.0.0.1:P1,127.0.0.1:P2,…`, every node a root node. */
  readonly url: string;
  /** The primary that holds the hash slot of `key` now. */
  primaryFor(key: string): Promise<RedisClusterNode>;
  /** The replicas of a primary. */
  replicasOf(primary: RedisClusterNode): Promise<RedisClusterNode[]>;
  /**
   * Promotes a replica with `CLUSTER FAILOVER` (coordinated: no write is lost) and waits until it
   * is a primary and every node agrees on the slots again.
   */
  failover(replica: RedisClusterNode): Promise<void>;
  /** Waits until every running node says `cluster_state:ok` and they agree on the slots. */
  waitUntilHealthy(): Promise<void>;
  /** Kills every node and removes the data folder. */
  close(): Promise<void>;
}

/**
 * Starts `primaries` × (1 + `replicas`) cluster-enabled `redis-server`s in one scratch folder and
 * joins them with `redis-cli --cluster create`. Fails, never skips, when Redis is missing.
 */
export async function startRedisCluster(
  options: { primaries?: number; replicas?: number } = {},
): Promise<RedisCluster> {
  assertInstalled();
  const primaries = options.primaries ?? 3;
  const replicas = options.replicas ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'entra-signin-redis-cluster-'));
  const nodes: ClusterProcess[] = [];
  try {
    for (let i = 0; i < primaries * (1 + replicas); i += 1) {
      nodes.push(new ClusterProcess(await findFreePort(), await findFreePort(), dir));
    }
    await Promise.all(nodes.map((node) => node.start()));
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    const create = ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas)];
    await run(REDIS_CLI, [...create, '--cluster-yes'], { timeout: 30_000 });
    const cluster = new TestCluster(nodes, dir);
    await cluster.waitUntilHealthy();
    return cluster;
  } catch (error) {
    await Promise.all(nodes.map((node) => node.kill()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

class TestCluster implements RedisCluster {
  readonly url: string;
  readonly #nodes: ClusterProcess[];
  readonly #dir: string;

  constructor(nodes: ClusterProcess[], dir: string) {
    this.#nodes = nodes;
    this.#dir = dir;
    this.url = `redis-cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`;
  }

  async primaryFor(key: string): Promise<RedisClusterNode> {
    const nodes = await this.#topology();
    const slot = Number(await this.#ask((port) => cli(port, 'CLUSTER', 'KEYSLOT', key)));
    const primary = nodes.find((node) =>
      node.slots.some(([from, to]) => from <= slot && slot <= to),
    );
    if (primary === undefined) throw new Error(`no node serves slot ${slot}`);
    return this.#node(primary.port);
  }

  /**
   * The replicas of `primary`. Right after a failover the cluster's view may not list the old
   * primary as the new one's replica yet: a cluster with replicas is waited on until it does.
   */
  async replicasOf(primary: RedisClusterNode): Promise<RedisClusterNode[]> {
    let replicas: RedisClusterNode[] = [];
    const listed = async () => {
      const nodes = await this.#topology();
      const id = nodes.find((node) => node.port === primary.port)?.id;
      replicas = nodes.filter((node) => node.primaryId === id).map((n) => this.#node(n.port));
      return replicas.length > 0 || !nodes.some((node) => node.primaryId !== null);
    };
    await until(`a replica of node ${primary.port}`, listed, 5_000).catch(() => undefined);
    return replicas;
  }

  async failover(replica: RedisClusterNode): Promise<void> {
    await cli(replica.port, 'CLUSTER', 'FAILOVER');
    await until(`node ${replica.port} promoted`, async () =>
      (await cli(replica.port, 'ROLE')).startsWith('master'),
    );
    await this.waitUntilHealthy();
  }

  async waitUntilHealthy(): Promise<void> {
    const running = this.#nodes.filter((node) => node.running);
    await until('cluster_state:ok on every node', async () => {
      const states = await Promise.all(running.map((node) => cli(node.port, 'CLUSTER', 'INFO')));
      return states.every((info) => info.includes('cluster_state:ok'));
    });
    await until('every node agrees on the slots', async () => {
      const first = running[0];
      if (first === undefined) return false;
      const check = await run(REDIS_CLI, ['--cluster', 'check', `127.0.0.1:${first.port}`], {
        timeout: 5000,
      }).catch(() => ({ stdout: '' }));
      return check.stdout.includes('[OK] All nodes agree') && !check.stdout.includes('[ERR]');
    });
    // A replica is listed in CLUSTER SLOTS, and can take over, only once it has synced.
    await until('every replica in sync with its primary', async () => {
      const links = await Promise.all(running.map((node) => cli(node.port, 'INFO', 'replication')));
      return links.every((info) => info.includes('role:master') || info.includes('link_status:up'));
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.#nodes.map((node) => node.kill()));
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #node(port: number): ClusterProcess {
    const node = this.#nodes.find((each) => each.port === port);
    if (node === undefined) throw new Error(`port ${port} is not a node of this cluster`);
    return node;
  }

  // CLUSTER NODES, as the first node that answers sees it (CLUSTER SLOTS leaves out replicas
  // that have not replicated a write yet).
  async #topology(): Promise<TopologyNode[]> {
    const text = await this.#ask((port) => cli(port, 'CLUSTER', 'NODES'));
    return text.split('\n').map((line) => {
      const [id = '', address = '', flags = '', primaryId = '', , , , , ...slots] = line.split(' ');
      return {
        id,
        port: Number(/:(\d+)@/.exec(address)?.[1]),
        primaryId: flags.includes('slave') ? primaryId : null,
        slots: slots
          .filter((range) => !range.startsWith('['))
          .map((range) => {
            const [from = 0, to = from] = range.split('-').map(Number);
            return [from, to] as const;
          }),
      };
    });
  }

  // Asks the first running node that answers; a paused or stopped node is skipped.
  async #ask<T>(question: (port: number) => Promise<T>): Promise<T> {
    let last: unknown = new Error('no node of the cluster is running');
    for (const node of this.#nodes.filter((each) => each.running && !each.paused)) {
      try {
        return await question(node.port);
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }
}

interface TopologyNode {
  readonly id: string;
  readonly port: number;
  readonly primaryId: string | null;
  readonly slots: readonly (readonly [number, number])[];
}

class ClusterProcess implements RedisClusterNode {
  readonly port: number;
  readonly #busPort: number;
  readonly #dir: string;
  #child: ChildProcess | null = null;
  paused = false;

  constructor(port: number, busPort: number, dir: string) {
    this.port = port;
    this.#busPort = busPort;
    this.#dir = dir;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null;
  }

  async start(): Promise<void> {
    const child = spawn(
      REDIS_SERVER,
      [
        ...['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.#dir],
        ...['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${this.port}.conf`],
        // The bus port is chosen too: the default (port + 10000) may be taken, or past 65535.
        ...['--cluster-port', String(this.#busPort), '--cluster-announce-ip', '127.0.0.1'],
        // A short node timeout keeps failure detection, and so the tests, quick.
        ...['--cluster-node-timeout', '1000'],
        // Replicas sync at once rather than after the default five seconds.
        ...['--repl-diskless-sync-delay', '0'],
        ...['--appendonly', 'yes', '--appendfilename', `appendonly-${this.port}.aof`],
        ...['--appenddirname', `aof-${this.port}`, '--save', '', '--daemonize', 'no'],
        ...['--loglevel', 'warning'],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    this.#child = child;
    live.add(child);
    child.once('exit', () => live.delete(child));
    const exitedEarly = new Promise<never>((_resolve, reject) => {
      child.once('exit', (code) =>
        reject(
          new Error(`redis-server :${this.port} exited with code ${code ?? 'null'}: ${stderr}`),
        ),
      );
    });
    exitedEarly.catch(() => undefined);
    await Promise.race([
      until(`redis-server :${this.port} up`, () => this.#answers()),
      exitedEarly,
    ]);
  }

  pause(): void {
    this.#child?.kill('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
    this.paused = false;
  }

  async stop(): Promise<void> {
    if (this.paused) this.resume();
    await this.#end('SIGTERM');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  kill(): Promise<void> {
    return this.#end('SIGKILL');
  }

  command(...args: string[]): Promise<string> {
    return cli(this.port, ...args);
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (child === null || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  async #answers(): Promise<boolean> {
    return (await cli(this.port, 'PING').catch(() => '')) === 'PONG';
  }
}

// A worker that dies mid-test must not leave Redis processes behind.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: 2000,
  });
  return stdout.trim();
}

async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function assertInstalled(): void {
  for (const tool of [REDIS_SERVER, REDIS_CLI]) {
    const probe = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (probe.error !== undefined || probe.status !== 0) {
      throw new Error(
        `These tests need a real Redis Cluster and "${tool}" could not be run. ` +
          'Install it with: sudo apt-get install redis-server redis-tools ' +
          '(or set REDIS_SERVER and REDIS_CLI to their paths).',
      );
    }
  }
}

/**
 * The result of `work` once it stops rejecting, trying every 50 ms for at most `ms`: a cluster
 * that has just changed takes a moment to settle. A resolved value, even a wrong one, ends the
 * wait, so a lost session fails the test instead of being waited out.
 */
export async function eventually<T>(work: () => Promise<T>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
