import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorHints } from '../../src/app/pages/error-hints.js';
import { AppError, describeError, errorCodes } from '../../src/core/errors.js';

const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...docs.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => ({
  code: m[1] ?? '',
  status: Number(m[2]),
}));

describe('the error catalogue', () => {
  it('documents every code, with its status, in docs/errors.md', () => {
    expect(documented.map((d) => d.code).sort()).toEqual([...errorCodes].sort());
    for (const { code, status } of documented) {
      expect(describeError(code as (typeof errorCodes)[number]).status).toBe(status);
    }
  });

  it('gives every code a title, and the app a hint for it that says what to do', () => {
    for (const code of errorCodes) {
      expect(describeError(code).title.length).toBeGreaterThan(5);
      expect(errorHints[code].length).toBeGreaterThan(20);
    }
  });

  it('carries the status of its code', () => {
    const error = new AppError('NOT_SIGNED_IN');
    expect(error.status).toBe(401);
    expect(error.title).toBe('You need to sign in');
  });
});
