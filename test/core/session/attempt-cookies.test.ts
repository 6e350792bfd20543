import { describe, expect, it } from 'vitest';
import { checkAttemptAge, readAnswer } from '../../../src/core/flows/sign-in.js';
import { resolveOptions } from '../../../src/core/options.js';
import {
  AttemptCookies,
  MAX_CROSS_SITE_ATTEMPTS,
  MAX_PENDING_ATTEMPTS,
  type SignInAttempt,
} from '../../../src/core/session/attempt-cookies.js';
import { readCookies } from '../../../src/core/session/session-cookie.js';
import { MAX_RETURN_TO, sanitizeReturnTo } from '../../../src/core/return-to.js';

const options = resolveOptions({
  baseUrl: 'https://app.example',
  authority: 'https://idp.example/tenant/v2.0',
  clientId: 'app',
  clientSecret: 'secret',
  session: { secrets: 'a-session-secret-of-at-least-32-characters!' },
});
const attempt = (startedAt = 1_000, crossSite = false): SignInAttempt => ({
  nonce: `nonce-${startedAt}`,
  codeVerifier: `verifier-${startedAt}`,
  returnTo: '/',
  startedAt,
  crossSite,
});

// What a browser would send back after the given Set-Cookie values.
function jarAfter(setCookies: string[], jar: Record<string, string> = {}): Record<string, string> {
  const next = new Map(Object.entries(jar));
  for (const header of setCookies) {
    const [pair = ''] = header.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    if (/Max-Age=0/.test(header)) next.delete(name);
    else next.set(name, pair.slice(at + 1));
  }
  return Object.fromEntries(next);
}

describe('readAnswer', () => {
  it('refuses a repeated parameter', () => {
    expect(() => readAnswer('state=a&state=a&code=c')).toThrow(
      expect.objectContaining({ code: 'AUTH_CALLBACK_INVALID' }),
    );
  });

  it('refuses an answer without state', () => {
    expect(() => readAnswer('code=c')).toThrow(
      expect.objectContaining({ code: 'AUTH_CALLBACK_INVALID' }),
    );
  });

  it('refuses an attempt older than the sign-in timeout', () => {
    expect(() => checkAttemptAge(attempt(0), 60_001, 60_000)).toThrow(
      expect.objectContaining({ code: 'AUTH_ATTEMPT_EXPIRED' }),
    );
  });
});

describe('attempt cookies', () => {
  const cookies = new AttemptCookies(options.session);

  it('finds an attempt by its state, and only by its state', () => {
    const jar = jarAfter(cookies.start({}, 'state-a', attempt()));
    expect(cookies.find(jar, 'state-a')?.attempt).toEqual(attempt());
    expect(cookies.find(jar, 'state-b')).toBeNull();
  });

  it('keeps the attempt secret and bound to its state (a cookie moved to another name opens to nothing)', () => {
    const jar = jarAfter(cookies.start({}, 'state-a', attempt()));
    const value = jar[cookies.nameFor('state-a')] ?? '';
    expect(value).not.toContain('verifier');
    expect(cookies.find({ [cookies.nameFor('state-b')]: value }, 'state-b')).toBeNull();
  });

  it('refuses a tampered cookie', () => {
    const jar = jarAfter(cookies.start({}, 'state-a', attempt()));
    const name = cookies.nameFor('state-a');
    const value = jar[name] ?? '';
    const tampered = `${value.slice(0, 20)}${value[20] === 'A' ? 'B' : 'A'}${value.slice(21)}`;
    expect(cookies.find({ [name]: tampered }, 'state-a')).toBeNull();
  });

  it('is a Secure, HttpOnly, SameSite=Lax __Host- cookie over https', () => {
    const [header = ''] = cookies.start({}, 'state-a', attempt());
    expect(header).toMatch(/^__Host-entra-signin-signin-/);
    expect(header).toMatch(/HttpOnly/);
    expect(header).toMatch(/Secure/);
    expect(header).toMatch(/SameSite=Lax/);
    expect(header).toMatch(/Path=\//);
  });

  it(`keeps at most ${MAX_PENDING_ATTEMPTS} attempts, the oldest giving way`, () => {
    let jar: Record<string, string> = {};
    for (let i = 0; i < MAX_PENDING_ATTEMPTS + 2; i += 1) {
      jar = jarAfter(cookies.start(jar, `s${i}`, attempt(1_000 + i)), jar);
    }
    expect(Object.keys(jar)).toHaveLength(MAX_PENDING_ATTEMPTS);
    expect(cookies.find(jar, 's0')).toBeNull();
    expect(cookies.find(jar, 's1')).toBeNull();
    expect(cookies.find(jar, `s${MAX_PENDING_ATTEMPTS + 1}`)).not.toBeNull();
  });

  it('lets navigations from another site push out only each other, not an attempt started here (issue 10, point 3)', () => {
    let jar = jarAfter(cookies.start({}, 'mine', attempt(1_000, false)));
    for (let i = 0; i < MAX_PENDING_ATTEMPTS * 3; i += 1) {
      jar = jarAfter(cookies.start(jar, `forced${i}`, attempt(2_000 + i, true)), jar);
    }
    expect(cookies.find(jar, 'mine')).not.toBeNull();
    expect(Object.keys(jar)).toHaveLength(1 + MAX_CROSS_SITE_ATTEMPTS);
  });

  it('cannot be grown by another site into a Cookie header servers refuse (cookie bomb)', () => {
    // The longest return address a navigation can plant, of characters that percent-encoding
    // makes three times longer: normalised, it is refused and becomes '/'.
    const planted = sanitizeReturnTo(`/a${'"'.repeat(930)}b`);
    let jar: Record<string, string> = {};
    for (let i = 0; i < 20; i += 1) {
      const forced = { ...attempt(1_000 + i, true), returnTo: planted };
      jar = jarAfter(cookies.start(jar, `forced${i}`, forced), jar);
    }
    const header = Object.entries(jar)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    expect(planted).toBe('/');
    expect(header.length).toBeLessThan(2_000);
  });

  it('keeps the Cookie header of five long sign-ins started here under 8 KB (nginx’s line limit)', () => {
    const longest = sanitizeReturnTo(`/${'a'.repeat(MAX_RETURN_TO - 1)}`);
    expect(longest.length).toBe(MAX_RETURN_TO);
    let jar: Record<string, string> = {};
    for (let i = 0; i < MAX_PENDING_ATTEMPTS + 3; i += 1) {
      jar = jarAfter(
        cookies.start(jar, `s${i}`, { ...attempt(1_000 + i), returnTo: longest }),
        jar,
      );
    }
    const header = Object.entries(jar)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    expect(header.length).toBeLessThan(8_000);
  });

  it('reads a Cookie header with several attempts', () => {
    const jar = jarAfter(cookies.start({}, 'state-a', attempt()));
    const header = Object.entries(jar)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    expect(cookies.find(readCookies(`other=1; ${header}`), 'state-a')).not.toBeNull();
  });
});
