/**
 * Runs an example app of examples/ as it is, with `node --import <this file> server.js`: its
 * imports of `entra-signin` and `entra-signin/*` resolve to this repository's build (dist/, by
 * the package's own `exports`, as the examples' `file:../..` dependency installs it) or, with
 * `BENCH_ENTRA_SIGNIN=fake`, to bench/fake-entra-signin.ts, the no-op stand-in the adapter
 * benchmark uses for "the same app without entra-signin". Every other import resolves as usual.
 */
import { register, type ResolveHook } from 'node:module';
import { isMainThread } from 'node:worker_threads';

// Module hooks run on a thread of their own, which loads this file again: register once.
if (isMainThread) register(import.meta.url);

// A package may import itself by name (a "self-reference"): resolved from the repository's
// package.json, `entra-signin` means what its `exports` map says.
const ROOT_PACKAGE = new URL('../../../package.json', import.meta.url).href;
const FAKE = new URL('./fake-entra-signin.js', import.meta.url).href;

/** Sends the example's `entra-signin` imports to the build or to the fake. */
export const resolve: ResolveHook = (specifier, context, nextResolve) => {
  if (specifier !== 'entra-signin' && !specifier.startsWith('entra-signin/')) {
    return nextResolve(specifier, context);
  }
  if (process.env['BENCH_ENTRA_SIGNIN'] === 'fake') return { url: FAKE, shortCircuit: true };
  return nextResolve(specifier, { ...context, parentURL: ROOT_PACKAGE });
};
