import { describe, expect, it } from 'vitest';
import { createFetchSignIn } from '../../src/adapters/fetch/index.js';

// The fetch adapter read a whole form body, however long, where the Express and Fastify adapters
// stop at 64 KiB: a long POST to a sign-in route was held in memory whole.
describe('the fetch adapter reading a form', () => {
  async function fetchSignIn() {
    return createFetchSignIn(
      {
        baseUrl: 'http://localhost:3000',
        developmentProvider: { port: 3001 },
        session: { secrets: 'a-session-secret-that-is-long-enough-0123456789' },
      },
      { startDevelopmentProvider: false },
    );
  }

  function formRequest(body: BodyInit): Request {
    return new Request('http://localhost:3000/auth/back_channel_logout', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
  }

  it('stops reading a long body at 64 KiB and answers as for no form', async () => {
    const auth = await fetchSignIn();
    // 16 MiB in chunks of 16 KiB, counted as they are pulled.
    const chunk = new TextEncoder().encode('a'.repeat(16 * 1024));
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
        if (pulled >= 16 * 1024 * 1024) controller.close();
      },
    });
    const response = await auth.handle(formRequest(body));
    // The back-channel answer to a request with no logout_token (OpenID Back-Channel Logout 1.0).
    expect(response?.status).toBe(400);
    expect(await response?.json()).toMatchObject({ error: 'invalid_request' });
    expect(pulled).toBeLessThan(256 * 1024);
    await auth.close();
  });

  it('leaves the request body readable for the host', async () => {
    const auth = await fetchSignIn();
    const request = formRequest('logout_token=');
    expect((await auth.handle(request))?.status).toBe(400);
    expect(await request.text()).toBe('logout_token=');
    await auth.close();
  });
});
