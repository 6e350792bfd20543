import { describe, expect, it } from 'vitest';
import { formatClaim, renderTokenDetailsPage } from '../../src/web/pages/token-details-page.js';

const context = {
  userName: 'Alice',
  csrfToken: 't',
  devMode: false,
  redirectUri: 'http://x/auth/redirect',
};

describe('the token details page', () => {
  it('shows timestamps as dates', () => {
    expect(formatClaim('exp', 1_796_007_495)).toBe('2026-11-30 02:58:15 UTC (1796007495)');
  });

  it('shows arrays and objects as JSON', () => {
    expect(formatClaim('roles', ['a', 'b'])).toBe('["a","b"]');
  });

  it('escapes claim values', () => {
    const html = renderTokenDetailsPage(context, { name: '<script>alert(1)</script>' });
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script>alert(1)&lt;/script>');
  });
});
