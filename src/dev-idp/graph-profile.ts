/**
 * The Graph fake's answers about the signed-in person: `/me`, their photo and their mail.
 *
 * @see https://learn.microsoft.com/graph/api/user-get
 * @see https://learn.microsoft.com/graph/api/profilephoto-get
 * @see https://learn.microsoft.com/graph/api/user-list-messages
 */
import type { ServerResponse } from 'node:http';
import { demoMessagesOf } from './demo-mailbox.js';
import type { GraphCall } from './graph-call.js';
import {
  graphError,
  METADATA,
  selectedEntity,
  sendGraphBytes,
  sendGraphJson,
} from './graph-replies.js';

const MAX_TOP = 1000;

/** `GET /me`: the person's profile, shaped like Graph's user. */
export function answerMe({ account, url }: GraphCall, res: ServerResponse): void {
  const user: Record<string, unknown> = {
    businessPhones: [],
    displayName: account.name,
    givenName: account.givenName ?? null,
    jobTitle: account.jobTitle ?? null,
    mail: account.email,
    mobilePhone: account.mobilePhone ?? null,
    officeLocation: account.officeLocation ?? null,
    preferredLanguage: account.preferredLanguage ?? null,
    surname: account.surname ?? null,
    userPrincipalName: account.username,
    id: account.oid,
  };
  sendGraphJson(res, 200, selectedEntity(url, 'users', user));
}

/** `GET /me/photo`: the photo's metadata, what a page asks to learn whether there is one. */
export function answerPhotoMetadata({ fake, account }: GraphCall, res: ServerResponse): void {
  const photo = fake.photos.get(account.oid);
  if (photo === undefined) {
    noPhoto(res);
    return;
  }
  sendGraphJson(res, 200, {
    '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#users('me')/photo/$entity",
    '@odata.mediaContentType': 'image/png',
    '@odata.mediaEtag': `W/"${photo.length.toString(16)}"`,
    id: '96X96',
    height: 96,
    width: 96,
  });
}

/** `GET /me/photo/$value`: the photo's bytes. */
export function answerPhoto({ fake, account }: GraphCall, res: ServerResponse): void {
  const photo = fake.photos.get(account.oid);
  if (photo === undefined) {
    noPhoto(res);
    return;
  }
  sendGraphBytes(res, photo, 'image/png');
}

function noPhoto(res: ServerResponse): void {
  graphError(
    res,
    404,
    'ImageNotFound',
    "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
  );
}

/** `GET /me/messages`: a page of the person's demo mail, newest first. */
export function answerMessages({ account, url }: GraphCall, res: ServerResponse): void {
  const top = pageParameter(url, '$top', 10);
  const skip = pageParameter(url, '$skip', 0);
  if (top === null || top < 1 || top > MAX_TOP || skip === null) {
    graphError(res, 400, 'BadRequest', 'Invalid value for a query option ($top or $skip).');
    return;
  }
  const all = demoMessagesOf(account);
  const page = all.slice(skip, skip + top);
  const next = new URL(url);
  next.searchParams.set('$skip', String(skip + top));
  sendGraphJson(res, 200, {
    '@odata.context': `${METADATA}#users('${account.oid}')/messages`,
    value: page,
    ...(skip + top < all.length ? { '@odata.nextLink': next.href } : {}),
  });
}

// A non-negative integer query option, its default when absent, `null` when malformed.
function pageParameter(url: URL, name: string, fallback: number): number | null {
  const value = url.searchParams.get(name);
  if (value === null) return fallback;
  return /^\d{1,6}$/.test(value) ? Number(value) : null;
}
