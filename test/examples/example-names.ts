import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The example apps in `examples/`, each a folder with its own package.json and `server.js`. */
export const EXAMPLES = ['express', 'fastify', 'hono'] as const;
export type ExampleName = (typeof EXAMPLES)[number];
