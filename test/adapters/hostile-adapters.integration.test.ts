import { describe } from 'vitest';
import { HOST_KINDS, startHost } from '../support/adapter-hosts.js';
import { describeHostileCases } from '../support/hostile-suite.js';

// The hostile-provider cases through a minimal host app on each adapter, in this process; the
// same cases run against the installed examples in test/examples/hostile-examples.
describe.each(HOST_KINDS)('the %s adapter against a hostile provider', (kind) => {
  describeHostileCases((options) => startHost(kind, options));
});
