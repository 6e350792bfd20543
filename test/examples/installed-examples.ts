import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { installExample, packLibrary } from './example-app.js';
import { EXAMPLES, type ExampleName } from './example-names.js';

const INSTALL_TIMEOUT_MS = 300_000;

/** The examples installed for a test file, and a scratch folder beside them. */
export interface InstalledExamples {
  /** The folder of an installed example. */
  readonly folderOf: (name: ExampleName) => string;
  /** A folder for the file's own files, removed with the examples. */
  readonly scratch: () => string;
}

/**
 * The examples as their users get them, for the file's tests: the library built and packed once,
 * each example copied out of the repository and given the tarball with `npm install`; all
 * removed after the file's tests.
 */
export function useInstalledExamples(): InstalledExamples {
  let work = '';
  const folders = new Map<ExampleName, string>();
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'entra-signin-examples-'));
    const tarball = await packLibrary(work);
    const installed = await Promise.all(
      EXAMPLES.map(async (name) => [name, await installExample(name, work, tarball)] as const),
    );
    for (const [name, dir] of installed) folders.set(name, dir);
  }, INSTALL_TIMEOUT_MS);
  afterAll(() => {
    if (work !== '') rmSync(work, { recursive: true, force: true });
  });
  return {
    folderOf: (name) => {
      const dir = folders.get(name);
      if (dir === undefined) {
        throw new Error(`The ${name} example was not installed (beforeAll failed)`);
      }
      return dir;
    },
    scratch: () => {
      if (work === '') throw new Error('The examples were not installed (beforeAll failed)');
      return work;
    },
  };
}
