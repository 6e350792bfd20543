import { describe, expect, it } from 'vitest';
import { hintForEntraError } from '../../../src/core/entra/entra-error.js';
import { tokenExchangeAudienceFor } from '../../../src/core/entra/token-exchange-audience.js';

// Issue 14: federated credentials.
describe('the token exchange audience', () => {
  it('is the cloud’s own', () => {
    const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    expect(tokenExchangeAudienceFor(`https://login.microsoftonline.com/${tenant}/v2.0`)).toBe(
      'api://AzureADTokenExchange',
    );
    expect(tokenExchangeAudienceFor(`https://login.microsoftonline.us/${tenant}/v2.0`)).toBe(
      'api://AzureADTokenExchangeUSGov',
    );
    expect(
      tokenExchangeAudienceFor(`https://login.partner.microsoftonline.cn/${tenant}/v2.0`),
    ).toBe('api://AzureADTokenExchangeChina');
  });

  it('is China’s at China’s other sign-in host, login.chinacloudapi.cn', () => {
    const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    expect(tokenExchangeAudienceFor(`https://login.chinacloudapi.cn/${tenant}/v2.0`)).toBe(
      'api://AzureADTokenExchangeChina',
    );
  });

  it('is the global one for any other provider, and for nonsense', () => {
    expect(tokenExchangeAudienceFor('https://idp.example/realm')).toBe(
      'api://AzureADTokenExchange',
    );
    expect(tokenExchangeAudienceFor('not a url')).toBe('api://AzureADTokenExchange');
    expect(tokenExchangeAudienceFor('https://constructor/')).toBe('api://AzureADTokenExchange');
  });
});

describe('the hints for a federated credential Entra refused', () => {
  it('name the claim that matched no credential, and what must match', () => {
    for (const [code, claim] of [
      ['AADSTS700211', 'issuer (iss)'],
      ['AADSTS700212', 'audience (aud)'],
      ['AADSTS700213', 'subject (sub)'],
    ] as const) {
      expect(hintForEntraError(code)).toContain(claim);
      expect(hintForEntraError(code)).toContain(
        'The federated credential’s issuer, subject and audience must match',
      );
    }
    expect(hintForEntraError('AADSTS70021')).toContain('npm run register -- --federated');
    expect(hintForEntraError('AADSTS700024')).toContain('expired');
  });
});
