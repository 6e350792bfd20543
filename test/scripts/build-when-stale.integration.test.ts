import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

// The script in a project of one source file, with the repository's TypeScript: `npm start`
// must compile when a source changed, and only then.
describe('scripts/build-when-stale.mjs', () => {
  let project: string;
  const build = () =>
    execFileSync(process.execPath, [join(project, 'scripts/build-when-stale.mjs')], {
      encoding: 'utf8',
    });
  const builtAt = () => statSync(join(project, 'dist/a.js')).mtimeMs;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'build-when-stale-'));
    mkdirSync(join(project, 'scripts'));
    mkdirSync(join(project, 'src'));
    mkdirSync(join(project, 'node_modules'));
    cpSync(
      join(ROOT, 'scripts/build-when-stale.mjs'),
      join(project, 'scripts/build-when-stale.mjs'),
    );
    symlinkSync(join(ROOT, 'node_modules/typescript'), join(project, 'node_modules/typescript'));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', strict: true } }),
    );
    writeFileSync(
      join(project, 'tsconfig.build.json'),
      JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: { rootDir: 'src', outDir: 'dist' },
        include: ['src'],
      }),
    );
    writeFileSync(join(project, 'src/a.ts'), 'export const a: number = 1;\n');
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('compiles the first time, then not again while nothing changed', () => {
    build();
    const first = builtAt();
    // An output older than now would be rewritten by a compile: make that visible.
    utimesSync(join(project, 'dist/a.js'), new Date(first - 10_000), new Date(first - 10_000));
    const aged = builtAt();
    build();
    expect(builtAt()).toBe(aged);
  });

  it('compiles again once a source changed', () => {
    build();
    writeFileSync(join(project, 'src/a.ts'), 'export const a: number = 2;\n');
    build();
    expect(
      execFileSync(process.execPath, ['-p', "require('fs').readFileSync('dist/a.js','utf8')"], {
        cwd: project,
        encoding: 'utf8',
      }),
    ).toContain('a = 2');
  });

  it('fails, and remembers nothing, when the sources do not compile', () => {
    writeFileSync(join(project, 'src/a.ts'), 'export const a: number = "not a number";\n');
    expect(() => build()).toThrow();
    // Still stale: the next start tries again rather than running an old build.
    expect(() => build()).toThrow();
  });
});
