import { describe, expect, it } from 'vitest';
import {
  checkTenantIssuer,
  isTenantAllowed,
  multiTenantCloudOf,
  parseAllowedTenants,
  PERSONAL_ACCOUNT_TENANT,
} from '../../../src/core/entra/entra-tenant.js';
import { loadConfig } from '../../../src/app/config.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('multiTenantCloudOf', () => {
  it('knows organizations and common in every Microsoft cloud', () => {
    expect(multiTenantCloudOf('https://login.microsoftonline.com/organizations/v2.0')).toBe(
      'https://login.microsoftonline.com',
    );
    expect(multiTenantCloudOf('https://login.microsoftonline.us/common/v2.0')).toBe(
      'https://login.microsoftonline.us',
    );
    expect(multiTenantCloudOf('https://login.partner.microsoftonline.cn/organizations/v2.0')).toBe(
      'https://login.partner.microsoftonline.cn',
    );
  });

  it('leaves single-tenant, consumers and other hosts alone', () => {
    expect(multiTenantCloudOf(`https://login.microsoftonline.com/${A}/v2.0`)).toBeNull();
    expect(multiTenantCloudOf('https://login.microsoftonline.com/consumers/v2.0')).toBeNull();
    expect(multiTenantCloudOf('https://evil.example/organizations/v2.0')).toBeNull();
    expect(multiTenantCloudOf('http://login.microsoftonline.com/organizations/v2.0')).toBeNull();
  });
});

describe('ALLOWED_TENANTS', () => {
  it('parses a list of tenant ids and *', () => {
    const problems: string[] = [];
    expect(parseAllowedTenants(` ${A.toUpperCase()} ,*`, problems)).toEqual({
      anyOrganisation: true,
      tenants: [A],
    });
    expect(problems).toEqual([]);
  });

  it('refuses what is not a tenant id', () => {
    const problems: string[] = [];
    parseAllowedTenants('contoso.onmicrosoft.com', problems);
    expect(problems[0]).toContain('ALLOWED_TENANTS must list');
  });

  it('lets personal accounts in only when their tenant is listed', () => {
    const star = { anyOrganisation: true, tenants: [] };
    expect(isTenantAllowed(B, star)).toBe(true);
    expect(isTenantAllowed(PERSONAL_ACCOUNT_TENANT, star)).toBe(false);
    expect(
      isTenantAllowed(PERSONAL_ACCOUNT_TENANT, { ...star, tenants: [PERSONAL_ACCOUNT_TENANT] }),
    ).toBe(true);
  });

  it('is required with a multi-tenant AUTHORITY and refused with another', () => {
    const env = {
      CLIENT_ID: 'c',
      CLIENT_SECRET: 's',
      SESSION_SECRET: 'x'.repeat(32),
      SESSION_STORE: 'memory',
    };
    expect(() =>
      loadConfig({
        cwd: '/nonexistent',
        env: { ...env, AUTHORITY: 'https://login.microsoftonline.com/common/v2.0' },
      }),
    ).toThrow(/ALLOWED_TENANTS is required/);
    expect(() =>
      loadConfig({ cwd: '/nonexistent', env: { ...env, TENANT_ID: A, ALLOWED_TENANTS: A } }),
    ).toThrow(/ALLOWED_TENANTS applies only/);
    const config = loadConfig({
      cwd: '/nonexistent',
      env: {
        ...env,
        AUTHORITY: 'https://login.microsoftonline.us/organizations/v2.0',
        ALLOWED_TENANTS: A,
      },
    });
    expect(config.oidc.multiTenant?.cloudOrigin).toBe('https://login.microsoftonline.us');
  });
});

describe('checkTenantIssuer', () => {
  const settings = {
    cloudOrigin: 'https://login.microsoftonline.com',
    allowedTenants: { anyOrganisation: false, tenants: [A] },
  };

  it("accepts an allowed tenant's token whose issuer is its own tenant's", () => {
    expect(
      checkTenantIssuer({ tid: A, iss: `https://login.microsoftonline.com/${A}/v2.0` }, settings),
    ).toBe(A);
  });

  it('refuses another tenant, a mismatched issuer, and a tid that is not a GUID', () => {
    const code = (claims: Record<string, unknown>) => {
      try {
        checkTenantIssuer(claims, settings);
        return 'accepted';
      } catch (error) {
        return (error as { code: string }).code;
      }
    };
    expect(code({ tid: B, iss: `https://login.microsoftonline.com/${B}/v2.0` })).toBe(
      'AUTH_TENANT_NOT_ALLOWED',
    );
    expect(code({ tid: A, iss: `https://login.microsoftonline.com/${B}/v2.0` })).toBe(
      'AUTH_TOKEN_INVALID',
    );
    expect(code({ tid: "$'", iss: 'https://login.microsoftonline.com//v2.0' })).toBe(
      'AUTH_TOKEN_INVALID',
    );
    expect(code({ iss: `https://login.microsoftonline.com/${A}/v2.0` })).toBe('AUTH_TOKEN_INVALID');
  });
});
