import { describe, expect, it } from 'vitest';
import { renderHomePage } from '../../src/app/pages/home-page.js';
import type { PageContext } from '../../src/app/pages/layout.js';
import { PageTemplate } from '../../src/app/pages/page-template.js';

const context: PageContext = {
  userName: 'Alice',
  username: 'alice@contoso.test',
  sessionsPath: '/sessions',
  isAdmin: false,
  csrfToken: 'unused',
  devMode: false,
  redirectUri: 'http://x/auth/redirect',
  entra: true,
  graph: true,
};

const render = (csrfToken: string | null) => renderHomePage({ ...context, csrfToken });

describe('a page template', () => {
  it('sends the page as rendering it with the request’s CSRF token would', () => {
    const template = new PageTemplate(render, true);
    for (const token of ['abc-DEF_123', 'another-token']) {
      expect(template.fill(token).toString()).toBe(render(token));
    }
  });

  it('renders, and so escapes, a token with characters HTML would escape', () => {
    const token = 'a"><script>x</script>';
    const page = new PageTemplate(render, true).fill(token).toString();
    expect(page).toBe(render(token));
    expect(page).not.toContain('<script>x');
  });

  it('sends a page without a sign-out form as it was rendered', () => {
    const signedOut = () => renderHomePage({ ...context, userName: null, csrfToken: null });
    expect(new PageTemplate(signedOut, false).fill(null).toString()).toBe(signedOut());
  });
});
