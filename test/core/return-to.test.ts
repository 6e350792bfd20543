import { describe, expect, it } from 'vitest';
import { sanitizeReturnTo } from '../../src/core/return-to.js';

describe('sanitizeReturnTo', () => {
  it.each([
    ['/token_details', '/token_details'],
    ['/?tab=a', '/?tab=a'],
    ['/a/b?c=d#e', '/a/b?c=d#e'],
    ['/%7Euser', '/%7Euser'],
  ])('keeps the same-site path %s', (input, expected) => {
    expect(sanitizeReturnTo(input)).toBe(expected);
  });

  it.each([
    'https://elsewhere.example/',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/%2F%2Fevil.example',
    '/%2f%5cevil.example',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    '%2F%2Fevil.example',
    '/\tevil',
    'evil.example',
    '',
    '/%E0%A4%A',
    // Dot segments that the URL parser collapses into `//host` (regression: review of issue 3).
    '/.//evil.example',
    '/..//evil.example',
    '/%2e//evil.example',
    '/a/..//evil.example',
    '/a/../%2F%2Fevil.example',
    `/${'a'.repeat(3000)}`,
  ])('refuses %s', (input) => {
    expect(sanitizeReturnTo(input)).toBe('/');
  });

  it('refuses anything that is not a string', () => {
    expect(sanitizeReturnTo(['/a', '/b'])).toBe('/');
    expect(sanitizeReturnTo(undefined)).toBe('/');
  });
});
