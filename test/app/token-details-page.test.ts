import { describe, expect, it } from 'vitest';
import {
  formatClaim,
  relativeTime,
  renderClaimSections,
  renderTokenDetailsPage,
} from '../../src/app/pages/token-details-page.js';

const context = {
  userName: 'Alice',
  username: 'alice@contoso.test',
  sessionsPath: '/sessions',
  isAdmin: false,
  csrfToken: 't',
  devMode: false,
  redirectUri: 'http://x/auth/redirect',
  entra: true,
  graph: true,
};

const noAccess = { roles: [], groups: [], fromGraph: false };

describe('the token details page', () => {
  it('shows timestamps as dates', () => {
    expect(formatClaim('exp', 1_796_007_495)).toBe('2026-11-30 02:58:15 UTC (1796007495)');
  });

  it('shows arrays and objects as JSON', () => {
    expect(formatClaim('roles', ['a', 'b'])).toBe('["a","b"]');
  });

  it('escapes claim values', () => {
    const html = renderTokenDetailsPage(
      context,
      renderClaimSections({ name: '<script>alert(1)</script>' }),
      noAccess,
    );
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script>alert(1)&lt;/script>');
  });
});

describe('the token details page with a provider that is not Entra (issue 10, point 13)', () => {
  it('does not say that sub differs per app', () => {
    expect(renderClaimSections({ sub: 'x' }, Date.now(), true)).toContain('another app sees');
    expect(renderClaimSections({ sub: 'x' }, Date.now(), false)).not.toContain('another app sees');
  });

  it('names neither the tenant nor Entra in the footer', () => {
    const html = renderTokenDetailsPage({ ...context, userName: null, entra: false }, '', noAccess);
    expect(html).not.toContain('tenant');
    expect(html).not.toContain('Microsoft Entra ID');
    expect(html).toContain('Redirect URI to register at the identity provider');
  });

  it('explains an auth_time of 0 instead of showing 1970', () => {
    const html = renderClaimSections({ auth_time: 0 });
    expect(html).not.toContain('1970');
    expect(html).toContain('did not say when');
  });
});

describe('claims named like Object.prototype members (issue 10, info)', () => {
  it('shows claims named constructor and toString', () => {
    const html = renderClaimSections({ constructor: 'c-value', toString: 't-value' });
    expect(html).toContain('c-value');
    expect(html).toContain('t-value');
  });
});

describe('relativeTime', () => {
  const now = Date.UTC(2026, 10, 30, 12, 0, 0);
  it('says how long until a time', () => {
    expect(relativeTime(now / 1000 + 52 * 60, now)).toBe('in 52 min');
    expect(relativeTime(now / 1000 + 5 * 3600, now)).toBe('in 5 h');
  });

  it('says how long ago a time was', () => {
    expect(relativeTime(now / 1000 - 10, now)).toBe('less than a minute ago');
    expect(relativeTime(now / 1000 - 3 * 60, now)).toBe('3 min ago');
  });
});
