import { afterEach, describe, expect, it } from 'vitest';
import {
  signInThroughProvider,
  startHostileSetup,
  type HostileSetup,
} from '../support/hostile-app.js';

const CONTOSO = '11111111-1111-4111-8111-111111111111';
const OTHER = '44444444-4444-4444-8444-444444444444';
const cloud = 'https://login.microsoftonline.com';

// A single-tenant Entra authority, emulated by the hostile provider at Microsoft's host.
describe('a single-tenant Entra authority', () => {
  let s: HostileSetup | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('accepts the tenant GUID issuer when the tenant is named by domain', async () => {
    s = await startHostileSetup({
      provider: {
        publicOrigin: cloud,
        tenant: 'contoso.onmicrosoft.com',
        issuer: `${cloud}/${CONTOSO}/v2.0`,
      },
    });
    const page = await signInThroughProvider(s, s.userAgent());
    expect(page.status).toBe(200);
  });

  it('refuses another tenant’s issuer when the tenant is named by GUID', async () => {
    s = await startHostileSetup({
      provider: { publicOrigin: cloud, tenant: CONTOSO, issuer: `${cloud}/${OTHER}/v2.0` },
    });
    const agent = s.userAgent();
    const page = await signInThroughProvider(s, agent);
    expect(page.status).toBe(502);
    expect(page.body).toContain('AUTH_DISCOVERY_INVALID');
  });
});
