import { describe, expect, it } from 'vitest';
import { checkStoreSpec, parseRedisClusterUrl } from '../../src/core/option-checks.js';

// SESSION_STORE=redis-cluster://…: how the list of nodes is read, and what is refused.

const problemsOf = (value: string): string[] => {
  const problems: string[] = [];
  checkStoreSpec(
    value,
    (option) => (option === 'session.store' ? 'SESSION_STORE' : option),
    problems,
  );
  return problems;
};

describe('a Redis Cluster URL', () => {
  it('names every node given, each with its port, or 6379 when it has none', () => {
    expect(
      parseRedisClusterUrl('redis-cluster://10.0.0.1:7000,redis-b.internal,[::1]:7002'),
    ).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b.internal', port: 6379 },
        { host: '::1', port: 7002 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
  });

  it('carries credentials, percent-decoded as in a URL, and TLS with rediss-cluster://', () => {
    expect(parseRedisClusterUrl('rediss-cluster://app:p%40ss%3Aword@a:6380,b:6380/')).toEqual({
      nodes: [
        { host: 'a', port: 6380 },
        { host: 'b', port: 6380 },
      ],
      username: 'app',
      password: 'p@ss:word',
      tls: true,
    });
    expect(parseRedisClusterUrl('redis-cluster://:secret@a:1')).toMatchObject({
      username: undefined,
      password: 'secret',
    });
  });

  it.each([
    ['no node', 'redis-cluster://'],
    ['an empty node in the list', 'redis-cluster://a:1,,b:2'],
    ['a database number (a cluster has only database 0)', 'redis-cluster://a:1,b:2/2'],
    ['a query', 'redis-cluster://a:1?timeout=5'],
    ['a port out of range', 'redis-cluster://a:70000'],
    ['a port that is not a number', 'redis-cluster://a:http'],
    ['a malformed escape in the password', 'redis-cluster://u:%zz@a:1'],
  ])('is refused with %s', (_reason, value) => {
    expect(parseRedisClusterUrl(value)).toBeNull();
    expect(problemsOf(value)).toEqual([
      expect.stringMatching(
        /^SESSION_STORE must be a Redis Cluster URL such as redis-cluster:\/\//,
      ),
    ]);
  });

  it('is accepted as SESSION_STORE', () => {
    expect(problemsOf('redis-cluster://10.0.0.1:6379,10.0.0.2:6379')).toEqual([]);
    expect(problemsOf('rediss-cluster://user:pw@redis.example.com:6380')).toEqual([]);
  });

  it('does not repeat its password when refused', () => {
    const [problem] = problemsOf('rediss-cluster://user:hunter2-secret@a:1/9');
    expect(problem).toContain('rediss-cluster://***@a:1/9');
    expect(problem).not.toContain('hunter2');
  });

  it('is named among the kinds of store when a store is refused', () => {
    expect(problemsOf('postgres://x')).toEqual([expect.stringContaining('redis-cluster://')]);
  });
});
