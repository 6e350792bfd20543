import type { FastifyInstance } from 'fastify';
import {
  renderMailPage,
  renderProfilePage,
  type GraphMessage,
  type GraphProfile,
} from '../pages/profile-page.js';
import { pageContextFor, type AppServices } from '../services.js';

// Graph serves photos in these types; anything else (SVG, which could carry script) is no photo.
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const MAX_PHOTO_BYTES = 4 * 1024 * 1024;

/**
 * The profile page (Microsoft Graph `/me` and photo, with the sign-in's `User.Read`), the photo
 * at a same-origin URL, and a mail page that asks for `Mail.Read` only when someone opens it
 * (incremental consent). Signed out, each answers 401 like the claims page.
 */
export function registerProfileRoutes(app: FastifyInstance, services: AppServices): void {
  const graphName = services.config.devIdp !== null ? 'the development Graph' : 'Microsoft Graph';

  app.get('/profile', { preHandler: app.requireSignIn }, async (request, reply) => {
    const session = await request.entraSession();
    if (session === null) return reply;
    const [profile, photo] = await Promise.all([
      request.graphJson<GraphProfile>(
        '/v1.0/me?$select=displayName,jobTitle,mail,officeLocation,userPrincipalName',
      ),
      request.callGraph('/v1.0/me/photo/$value'),
    ]);
    // Only whether there is one: the browser fetches the photo itself from /profile/photo.
    await photo.body?.cancel();
    return reply.type('text/html; charset=utf-8').send(
      renderProfilePage(pageContextFor(services, session), profile, {
        hasPhoto: photo.ok && PHOTO_TYPES.has(mediaType(photo.headers.get('content-type'))),
        graphName,
      }),
    );
  });

  app.get('/profile/photo', { preHandler: app.requireSignIn }, async (request, reply) => {
    const photo = await request.callGraph('/v1.0/me/photo/$value');
    const type = mediaType(photo.headers.get('content-type'));
    const bytes = photo.ok ? Buffer.from(await photo.arrayBuffer()) : null;
    if (bytes === null || !PHOTO_TYPES.has(type) || bytes.length > MAX_PHOTO_BYTES) {
      await photo.body?.cancel().catch(() => undefined);
      return reply
        .code(404)
        .header('cache-control', 'no-store')
        .type('text/plain')
        .send('No photo');
    }
    // The person's own photo: their browser may keep it a while, no shared cache may.
    return reply
      .header('cache-control', 'private, max-age=300')
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

function mediaType(header: string | null): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
