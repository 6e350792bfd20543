import { describe, expect, it } from 'vitest';
import {
  findEntraCorrelationId,
  findEntraErrorCode,
  hintForEntraError,
} from '../../../src/core/entra/entra-error.js';

const description =
  "AADSTS50011: The redirect URI 'http://localhost:5000/auth/redirect' specified in the request does not match the redirect URIs configured for the application. Trace ID: 0b7c2a3e-1111-2222-3333-444455556666 Correlation ID: 9f1e2d3c-aaaa-bbbb-cccc-ddddeeeeffff Timestamp: 2026-11-30 10:00:00Z";

describe('Entra error descriptions', () => {
  it('finds the AADSTS code', () => {
    expect(findEntraErrorCode(description)).toBe('AADSTS50011');
  });

  it('finds the correlation id', () => {
    expect(findEntraCorrelationId(description)).toBe('9f1e2d3c-aaaa-bbbb-cccc-ddddeeeeffff');
  });

  it('finds nothing in a description from another provider', () => {
    expect(findEntraErrorCode('The user denied the request')).toBeUndefined();
    expect(findEntraErrorCode(undefined)).toBeUndefined();
  });

  it('has a plain-language hint for the redirect URI mismatch', () => {
    expect(hintForEntraError('AADSTS50011')).toContain('redirect URI');
    expect(hintForEntraError('AADSTS1')).toBeUndefined();
    // Prototype keys are no codes (issue 10, info).
    expect(hintForEntraError('constructor')).toBeUndefined();
    expect(hintForEntraError('__proto__')).toBeUndefined();
  });
});
