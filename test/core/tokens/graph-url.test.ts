import { describe, expect, it } from 'vitest';
import { graphUrlOf } from '../../../src/core/tokens/graph-client.js';

const GRAPH = 'https://graph.microsoft.com';

describe('where a Graph call may go', () => {
  it('resolves a path against GRAPH_URL', () => {
    expect(graphUrlOf(GRAPH, '/v1.0/me?$select=mail').href).toBe(
      'https://graph.microsoft.com/v1.0/me?$select=mail',
    );
  });

  it('takes a URL on Graph itself (a paging link)', () => {
    const next = 'https://graph.microsoft.com/v1.0/me/memberOf?$skiptoken=abc';
    expect(graphUrlOf(GRAPH, next).href).toBe(next);
  });

  it.each([
    ['another origin', 'https://evil.example/v1.0/me'],
    ['a protocol-relative path', '//evil.example/v1.0/me'],
    ['a backslash path', '/\\evil.example/v1.0/me'],
    ['Graph over http', 'http://graph.microsoft.com/v1.0/me'],
    ['a look-alike host', 'https://graph.microsoft.com.evil.example/v1.0/me'],
    ['no path at all', 'v1.0/me'],
  ])('refuses %s, so the token never leaves for it', (_what, target) => {
    expect(() => graphUrlOf(GRAPH, target)).toThrow(/GRAPH_URL only/);
  });
});
