import { describe } from 'vitest';
import { describeHostileCases } from '../support/hostile-suite.js';
import { startExampleHost } from './example-hosts.js';
import { EXAMPLES } from './example-names.js';
import { useInstalledExamples } from './installed-examples.js';

// The hostile-provider cases of test/adapters, against each example installed from the packed
// library and started as its users start it: the examples must refuse the same bad tokens,
// states and callbacks as the adapters' minimal hosts, with the same status, code and cookies.
const examples = useInstalledExamples();

describe.each(EXAMPLES)('the %s example, installed, against a hostile provider', (name) => {
  describeHostileCases((options) => startExampleHost(name, examples.folderOf(name), options), {
    readsLogs: false,
  });
});
