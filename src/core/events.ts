import type { ErrorCode } from './errors.js';
import type { SignedInPerson } from './signed-in-person.js';

/**
 * What happened, for a host app's audit trail or metrics (the `onEvent` option). Events carry
 * no token, code or cookie.
 */
export type SignInEvent =
  | { readonly type: 'signed-in'; readonly person: SignedInPerson; readonly requestId: string }
  | {
      readonly type: 'sign-in-failed';
      readonly code: ErrorCode;
      readonly providerCode: string | undefined;
      readonly requestId: string;
    }
  | { readonly type: 'signed-out'; readonly personKey: string; readonly requestId: string }
  | {
      readonly type: 'sessions-ended';
      /** Which logout channel ended them, or `refresh`: a refreshed ID token named someone else. */
      readonly channel: 'front-channel' | 'back-channel' | 'refresh';
      readonly count: number;
      readonly requestId: string;
    };
