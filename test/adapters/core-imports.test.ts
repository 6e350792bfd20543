import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// "Importing the core loads none of them": the frameworks, store drivers and the identity
// provider are optional peer dependencies, reached only through subpaths of their own (or a
// dynamic import inside a function, as the store opener and the development provider do).
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OPTIONAL_PEERS = ['fastify', 'express', 'better-sqlite3', 'redis', 'oidc-provider', 'hono'];

/** One import of a source file: what it names, and whether only types come from it. */
interface StaticImport {
  readonly specifier: string;
  readonly typeOnly: boolean;
}

/**
 * The static imports of a TypeScript source: `import … from`, `export … from`, side-effect
 * imports, `declare module` augmentations (type-only), and an `import()` at the top level (which
 * runs on load). An `import()` inside a function (indented, as Prettier lays it out) runs only
 * when called, so it is not one. Erased `import type`/`export type` are kept as type-only: a
 * declaration file that names an optional peer breaks the types of a host without it.
 */
function staticImports(source: string): StaticImport[] {
  const found: StaticImport[] = [];
  const patterns: [RegExp, (m: RegExpMatchArray) => boolean][] = [
    // Import clauses hold names, braces, commas and `* as`, never `=`, `(` or `;`.
    [/^[ \t]*(?:import|export)\s+(type\s+)?[^'";=()]*?\bfrom\s+['"]([^'"]+)['"]/gm, (m) => !!m[1]],
    [/^[ \t]*import\s+()['"]([^'"]+)['"]/gm, () => false],
    [/^[ \t]*declare\s+module\s+()['"]([^'"]+)['"]/gm, () => true],
    [/^\S[^\n]*?\bimport\(\s*()['"]([^'"]+)['"]\s*\)/gm, () => false],
  ];
  for (const [pattern, typeOnly] of patterns) {
    for (const match of source.matchAll(pattern)) {
      found.push({ specifier: match[2] ?? '', typeOnly: typeOnly(match) });
    }
  }
  return found;
}

/** The package a bare specifier names (`@scope/name` or `name`), without its subpath. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/** The source file a relative specifier names (`./x.js` is `./x.ts` or `./x.tsx`). */
function resolveSource(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier).replace(/\.js$/, '');
  const file = ['.ts', '.tsx'].map((ext) => base + ext).find((path) => existsSync(path));
  if (file === undefined)
    throw new Error(`${relative(ROOT, from)} imports ${specifier}: no such file`);
  return file;
}

/** Every source file reachable from `entry` by static imports, and their imports of packages. */
function moduleGraph(entry: string) {
  const files = new Set<string>();
  const packages: { file: string; specifier: string; typeOnly: boolean }[] = [];
  const pending = [join(ROOT, entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const { specifier, typeOnly } of staticImports(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) pending.push(resolveSource(file, specifier));
      else packages.push({ file: relative(ROOT, file), specifier, typeOnly });
    }
  }
  return { files: [...files].map((file) => relative(ROOT, file)), packages };
}

/** The imports of optional peers in the graph of `entry`. */
function optionalPeerImports(entry: string) {
  return moduleGraph(entry).packages.filter((p) => OPTIONAL_PEERS.includes(packageOf(p.specifier)));
}

describe('the core entry point (src/index.ts)', () => {
  it('imports without touching the network', async () => {
    const core = await import('../../src/index.js');
    expect(typeof core.createEntraSignIn).toBe('function');
  });

  it('reaches no framework, store driver or identity provider by a static import', () => {
    expect(optionalPeerImports('src/index.ts')).toEqual([]);
  });

  it('reaches the core but not what it loads on demand (stores, development provider)', () => {
    const { files } = moduleGraph('src/index.ts');
    expect(files).toContain('src/core/entra-signin.ts');
    expect(files).toContain('src/core/session/open-store.ts');
    expect(files.filter((f) => !f.startsWith('src/core/') && f !== 'src/index.ts')).toEqual([]);
  });
});

describe('the import check itself', () => {
  it('flags the Fastify adapter as an entry point', () => {
    expect(optionalPeerImports('src/adapters/fastify/index.ts')).toContainEqual({
      file: 'src/adapters/fastify/index.ts',
      specifier: 'fastify',
      typeOnly: true,
    });
  });

  it("flags the app's value import of fastify", () => {
    expect(optionalPeerImports('src/app/build-app.ts')).toContainEqual({
      file: 'src/app/build-app.ts',
      specifier: 'fastify',
      typeOnly: false,
    });
  });

  it('reads value, type-only, side-effect, multi-line and re-export imports', () => {
    const source = [
      "import Fastify from 'fastify';",
      "import type { Redis } from 'redis';",
      "import 'hono';",
      'import {',
      '  a,',
      '  type B,',
      "} from 'express';",
      "export { x } from './x.js';",
      "export type { Y } from 'oidc-provider';",
    ].join('\n');
    expect(staticImports(source)).toEqual([
      { specifier: 'fastify', typeOnly: false },
      { specifier: 'redis', typeOnly: true },
      { specifier: 'express', typeOnly: false },
      { specifier: './x.js', typeOnly: false },
      { specifier: 'oidc-provider', typeOnly: true },
      { specifier: 'hono', typeOnly: false },
    ]);
  });

  it('counts a top-level import() but not one inside a function', () => {
    const source = [
      "const { default: Redis } = await import('redis');",
      'export async function open() {',
      "  const { Database } = await import('better-sqlite3');",
      '}',
      " * import Fastify from 'fastify' (an example in a doc comment)",
    ].join('\n');
    expect(staticImports(source)).toEqual([{ specifier: 'redis', typeOnly: false }]);
  });
});
