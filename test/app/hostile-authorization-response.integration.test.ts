import { describe, expect, it } from 'vitest';
import {
  isSignedIn,
  signInThroughProvider,
  useHostileSetup,
  type HostileSetup,
} from '../support/hostile-app.js';

// Answers at the redirect URI that must sign nobody in. Forged and replayed answers, and answers
// from a browser that started nothing, are in sign-in-journey.integration.test.ts.
describe('authorization responses from a hostile provider', () => {
  let s: HostileSetup;
  useHostileSetup((setup) => (s = setup));

  async function refusedWith(status: number, code: string) {
    const agent = s.userAgent();
    const page = await signInThroughProvider(s, agent);
    expect(page.url.startsWith(`${s.t.baseUrl}/auth/redirect?`)).toBe(true);
    expect(page.status).toBe(status);
    expect(page.body).toContain(code);
    expect(await isSignedIn(s, agent)).toBe(false);
    return page;
  }

  it('refuses an answer without state while a sign-in is under way', async () => {
    s.provider.bends.authorization = (answer) => {
      answer.delete('state');
      return answer;
    };
    await refusedWith(400, 'AUTH_CALLBACK_INVALID');
  });

  it('refuses an answer whose state is not the one sent', async () => {
    s.provider.bends.authorization = (answer) => {
      answer.set('state', 'a-state-we-never-sent');
      return answer;
    };
    await refusedWith(400, 'AUTH_ATTEMPT_NOT_FOUND');
  });

  it('refuses an answer with the code twice', async () => {
    s.provider.bends.authorization = (answer) => {
      answer.append('code', 'a-second-code');
      return answer;
    };
    await refusedWith(400, 'AUTH_CALLBACK_INVALID');
  });

  it('shows interaction_required as a provider error', async () => {
    s.provider.bends.authorization = (answer) =>
      new URLSearchParams({ error: 'interaction_required', state: answer.get('state') ?? '' });
    const page = await refusedWith(400, 'AUTH_PROVIDER_ERROR');
    expect(page.body).toContain('interaction_required');
  });

  it('shows a long error_description with markup escaped and truncated', async () => {
    const description = `<script>alert("x")</script><b>bold</b> ${'padding '.repeat(60)}THE-END-MARKER`;
    s.provider.bends.authorization = (answer) =>
      new URLSearchParams({
        error: 'server_error',
        error_description: description,
        state: answer.get('state') ?? '',
      });
    const page = await refusedWith(400, 'AUTH_PROVIDER_ERROR');
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<b>bold</b>');
    // Shown as text: `<` escaped (Preact leaves `>` as is, which is safe in text).
    expect(page.body).toMatch(/&lt;script(>|&gt;)alert\(&quot;x&quot;\)&lt;\/script/);
    expect(page.body).not.toContain('THE-END-MARKER');
    expect(page.body).toContain('…');
  });

  it('refuses an iss parameter that is not the provider (RFC 9207)', async () => {
    s.provider.bends.authorization = (answer) => {
      answer.set('iss', 'https://evil.example/v2.0');
      return answer;
    };
    await refusedWith(400, 'AUTH_ISSUER_MISMATCH');
  });

  it('refuses an error answer whose iss parameter is not the provider (RFC 9207)', async () => {
    s.provider.bends.authorization = (answer) =>
      new URLSearchParams({
        error: 'access_denied',
        state: answer.get('state') ?? '',
        iss: 'https://evil.example/v2.0',
      });
    await refusedWith(400, 'AUTH_ISSUER_MISMATCH');
  });

  it('accepts an iss parameter that is the provider (RFC 9207)', async () => {
    s.provider.bends.authorization = (answer) => {
      answer.set('iss', s.provider.issuer);
      return answer;
    };
    const agent = s.userAgent();
    const page = await signInThroughProvider(s, agent);
    expect(page.status).toBe(200);
    expect(await isSignedIn(s, agent)).toBe(true);
  });
});
