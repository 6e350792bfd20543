import { afterEach } from 'vitest';

/**
 * A list to push what a test started onto (`list.push(() => app.stop())`): after each test,
 * whatever its outcome, the steps run in reverse order, each one's failure ignored (what it
 * would stop has often stopped already).
 */
export function undoAfterEach(): (() => unknown)[] {
  const steps: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of steps.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // Already stopped.
      }
    }
  });
  return steps;
}
