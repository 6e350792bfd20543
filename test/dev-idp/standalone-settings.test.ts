import { describe, expect, it } from 'vitest';
import { readStandaloneSettings } from '../../src/dev-idp/standalone-settings.js';

const read = (env: Record<string, string>, argv: string[] = []) =>
  readStandaloneSettings(argv, env, '/srv/app');

describe('the settings of npm run dev-idp', () => {
  it('registers the app’s default origin, on port 5001 at 127.0.0.1, with nothing set', () => {
    expect(read({})).toMatchObject({
      host: '127.0.0.1',
      port: 5001,
      dataDir: '/srv/app/data',
      clientSecret: undefined,
      redirectUris: ['http://localhost:5000/auth/redirect'],
      postLogoutRedirectUris: ['http://localhost:5000/auth/post_sign_out'],
      envFile: undefined,
    });
  });

  it('registers both URIs of every origin BASE_URL lists, under AUTH_ROUTE_PREFIX', () => {
    const settings = read({
      BASE_URL: 'https://localhost:8443, http://localhost:5000/',
      AUTH_ROUTE_PREFIX: '/signin',
    });
    expect(settings?.redirectUris).toEqual([
      'https://localhost:8443/signin/redirect',
      'http://localhost:5000/signin/redirect',
    ]);
    expect(settings?.postLogoutRedirectUris).toEqual([
      'https://localhost:8443/signin/post_sign_out',
      'http://localhost:5000/signin/post_sign_out',
    ]);
  });

  it('takes --redirect-uri instead of BASE_URL, with its sibling post_sign_out', () => {
    const settings = read({ BASE_URL: 'http://localhost:5000' }, [
      '--redirect-uri',
      'https://a.example/auth/redirect',
      '--redirect-uri',
      'https://b.example/auth/redirect',
      '--write-env',
      '.env',
    ]);
    expect(settings?.redirectUris).toEqual([
      'https://a.example/auth/redirect',
      'https://b.example/auth/redirect',
    ]);
    expect(settings?.postLogoutRedirectUris).toEqual([
      'https://a.example/auth/post_sign_out',
      'https://b.example/auth/post_sign_out',
    ]);
    expect(settings?.envFile).toBe('/srv/app/.env');
  });

  it('lists every problem at once, naming the setting to change', () => {
    expect(() =>
      read({
        BASE_URL: 'https://localhost:8443/app',
        DEV_IDP_HOST: 'idp.example',
        DEV_IDP_CLIENT_SECRET: 'short',
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(
          /DEV_IDP_HOST must be a loopback IP address[\s\S]*DEV_IDP_CLIENT_SECRET must be at least 32 characters[\s\S]*BASE_URL must be an origin without a path/,
        ) as unknown,
      }),
    );
  });

  it('refuses an unknown flag, and --env-file, which Node 20 would take for its own', () => {
    expect(() => read({}, ['--env-file', '.env'])).toThrow(/Unknown option '--env-file'/);
  });

  it('answers null for --help', () => {
    expect(read({}, ['--help'])).toBeNull();
  });
});
