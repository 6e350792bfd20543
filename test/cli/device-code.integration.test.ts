import { afterEach, describe, expect, it } from 'vitest';
import { loadCliSettings } from '../../src/app/config.js';
import { obtainGraphToken, type DeviceCodePrompt } from '../../src/cli/registration/graph-token.js';
import { startFakeEntra, type FakeEntra } from '../support/fake-entra.js';

describe('signing in to Microsoft Graph', () => {
  let entra: FakeEntra | undefined;
  afterEach(async () => {
    await entra?.close();
  });

  it('uses the device code flow without GRAPH_TOKEN: shows the code, then polls until signed in', async () => {
    const tid = 'f00d0000-0000-4000-8000-000000000001';
    const payload = Buffer.from(JSON.stringify({ tid })).toString('base64url');
    entra = await startFakeEntra({
      tenantId: 'organizations',
      pendingPolls: 1,
      accessToken: `e30.${payload}.sig`,
    });
    const settings = loadCliSettings({ env: { AUTHORITY: entra.authority }, cwd: '/nonexistent' });
    const prompts: DeviceCodePrompt[] = [];
    const token = await obtainGraphToken(settings, (p) => prompts.push(p));
    expect(token).toEqual({
      accessToken: `e30.${payload}.sig`,
      source: 'device code',
      tenantId: tid,
    });
    expect(prompts[0]?.message).toContain('enter the code FAKE-CODE');
    const [start, ...polls] = entra.requests;
    expect(start?.get('client_id')).toBe('14d82eec-204b-4c2f-b7e8-296a70dab67e');
    expect(start?.get('scope')).toBe(
      'https://graph.microsoft.com/Application.ReadWrite.All https://graph.microsoft.com/User.Read',
    );
    expect(polls).toHaveLength(2);
  });

  it('uses GRAPH_TOKEN when given, and reads the tenant from it', async () => {
    const payload = Buffer.from(JSON.stringify({ tid: 'contoso-tenant' })).toString('base64url');
    const settings = loadCliSettings({
      env: { GRAPH_TOKEN: `e30.${payload}.sig` },
      cwd: '/nonexistent',
    });
    const token = await obtainGraphToken(settings, () => {
      throw new Error('no device code expected');
    });
    expect(token.source).toBe('GRAPH_TOKEN');
    expect(token.tenantId).toBe('contoso-tenant');
  });
});
