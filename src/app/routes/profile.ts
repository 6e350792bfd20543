import type { FastifyInstance } from 'fastify';
import { AppError, isAppError } from '../../core/errors.js';
import {
  renderMailPage,
  renderProfilePage,
  type GraphMessage,
  type GraphProfile,
} from '../pages/profile-page.js';
import { hasGraph, pageContextFor, type AppServices } from '../services.js';

// Graph serves photos in these types; anything else (SVG, which could carry script) is no photo.
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const MAX_PHOTO_BYTES = 4 * 1024 * 1024;

/**
 * The profile page (Microsoft Graph `/me` and photo, with the sign-in's `User.Read`), the photo
 * at a same-origin URL, and a mail page that asks for `Mail.Read` only when someone opens it
 * (incremental consent). Signed out, each answers 401 like the claims page.
 */
export function registerProfileRoutes(app: FastifyInstance, services: AppServices): void {
  // With no Graph to call (another provider than Entra, no API scopes) there is no profile:
  // the pages link none, and /profile is not found rather than a configuration error.
  if (!hasGraph(services.config)) return;
  const graphName = services.config.devIdp !== null ? 'the development Graph' : 'Microsoft Graph';

  app.get('/profile', { preHandler: app.requireSignIn }, async (request, reply) => {
    const session = await request.entraSession();
    if (session === null) return reply;
    // The photo's metadata only says whether there is one (the browser fetches the photo
    // itself from /profile/photo); its bytes, left unread, would cost the connection.
    const [profile, photo] = await Promise.allSettled([
      request.graphJson<GraphProfile>(
        '/v1.0/me?$select=displayName,jobTitle,mail,officeLocation,userPrincipalName',
      ),
      request.graphJson<{ '@odata.mediaContentType'?: unknown }>('/v1.0/me/photo'),
    ]);
    if (profile.status === 'rejected') throw profile.reason;
    // No photo (404) or a photo Graph cannot describe: initials. A challenge or a dead refresh
    // token, though, is the page's to answer as for the profile itself.
    if (photo.status === 'rejected' && !isNoPhoto(photo.reason)) throw photo.reason;
    const type = photo.status === 'fulfilled' ? photo.value['@odata.mediaContentType'] : null;
    return reply.type('text/html; charset=utf-8').send(
      renderProfilePage(pageContextFor(services, session), profile.value, {
        hasPhoto: typeof type === 'string' && PHOTO_TYPES.has(mediaType(type)),
        graphName,
      }),
    );
  });

  app.get('/profile/photo', { preHandler: app.requireSignIn }, async (request, reply) => {
    const photo = await request.callGraph('/v1.0/me/photo/$value');
    const type = mediaType(photo.headers.get('content-type'));
    const length = Number(photo.headers.get('content-length') ?? 0);
    const bytes =
      photo.ok && PHOTO_TYPES.has(type) && length <= MAX_PHOTO_BYTES
        ? await readCapped(photo, MAX_PHOTO_BYTES)
        : null;
    if (bytes === null) {
      await photo.body?.cancel().catch(() => undefined);
      return reply
        .code(404)
        .header('cache-control', 'no-store')
        .type('text/plain')
        .send('No photo');
    }
    // One URL for whoever is signed in: no cache may keep it, or the next person to sign in
    // in this browser would see the last one's photo.
    return reply
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .type(type)
      .send(bytes);
  });

  app.get('/profile/mail', { preHandler: app.requireSignIn }, async (request, reply) => {
    const session = await request.entraSession();
    if (session === null) return reply;
    const mail = await request.graphJson<{ value?: GraphMessage[] }>(
      '/v1.0/me/messages?$top=5&$select=subject,from,receivedDateTime',
      { scopes: ['Mail.Read'] },
    );
    return reply
      .type('text/html; charset=utf-8')
      .send(renderMailPage(pageContextFor(services, session), (mail.value ?? []).slice(0, 5)));
  });
}

function isNoPhoto(error: unknown): boolean {
  return (
    isAppError(error) && error.code === 'API_UNREACHABLE' && error.facts?.['graphStatus'] === 404
  );
}

/** The body, or `null` past `limit` bytes; a body that breaks off is Graph not answering. */
async function readCapped(response: Response, limit: number): Promise<Buffer | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += (chunk as Uint8Array).byteLength;
      if (size > limit) return null;
      chunks.push(chunk);
    }
  } catch (cause) {
    throw new AppError('API_UNREACHABLE', 'The photo did not arrive whole', { cause });
  }
  return Buffer.concat(chunks);
}

function mediaType(header: string | null): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
