import Bowser from 'bowser';
import type { AuthRequest } from '../http/auth-request.js';
import type { DeviceAtSignIn } from './session-store.js';

const MAX_USER_AGENT = 512;

/** Where a request comes from, as it says: kept with the session it signs in. */
export function deviceOf(request: Pick<AuthRequest, 'header' | 'address'>): DeviceAtSignIn {
  const userAgent = request.header('user-agent');
  return {
    userAgent:
      userAgent === undefined || userAgent === '' ? null : userAgent.slice(0, MAX_USER_AGENT),
    address: request.address ?? null,
  };
}

/** A browser and operating system people recognise ("Chrome 131", "Windows 10"). */
export interface DeviceDescription {
  readonly browser: string;
  readonly os: string;
}

/**
 * Names the browser of a `User-Agent` (parsed by bowser). The header is whatever the client sent,
 * so this describes, and never decides anything; an unknown one is "Unknown browser".
 */
export function describeDevice(userAgent: string | null | undefined): DeviceDescription {
  if (userAgent === null || userAgent === undefined || userAgent.trim() === '') {
    return { browser: 'Unknown browser', os: 'Unknown system' };
  }
  const parsed = Bowser.parse(userAgent);
  const major = parsed.browser.version?.split('.')[0];
  const browser = parsed.browser.name ? [parsed.browser.name, major].filter(Boolean).join(' ') : '';
  const os = [parsed.os.name, parsed.os.versionName ?? parsed.os.version].filter(Boolean).join(' ');
  return { browser: browser || 'Unknown browser', os: os || 'Unknown system' };
}
