import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, ROOT } from './example-names.js';

// The README's "Add it to your app" snippets are the examples' code, verbatim: each code block
// follows a comment that names its file, and this test keeps the two from drifting apart.

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start === -1) throw new Error(`The README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

function snippetsOf(text: string): Map<string, string> {
  const snippets = new Map<string, string>();
  for (const match of text.matchAll(/<!-- (examples\/[\w./-]+) -->\n\n```js\n([\s\S]*?)```\n/g)) {
    const [, file = '', code = ''] = match;
    snippets.set(file, code);
  }
  return snippets;
}

describe('the README section "Add it to your app"', () => {
  const snippets = snippetsOf(section('Add it to your app'));

  it('comes right before "## Settings"', () => {
    expect(readme.indexOf('\n## Add it to your app\n')).toBeGreaterThan(-1);
    const next = readme.indexOf('\n## ', readme.indexOf('\n## Add it to your app\n') + 1);
    expect(readme.slice(next, next + 13)).toBe('\n## Settings\n');
  });

  it('shows one snippet for each example, and no other', () => {
    expect([...snippets.keys()].sort()).toEqual(
      EXAMPLES.map((name) => `examples/${name}/server.js`).sort(),
    );
  });

  it.each(EXAMPLES)('shows examples/%s/server.js exactly as the file is', (name) => {
    const file = `examples/${name}/server.js`;
    expect(snippets.get(file)).toBe(readFileSync(join(ROOT, file), 'utf8'));
  });
});

describe('the README section "Deploy"', () => {
  it('shows docs/nginx.conf, the file the nginx journey runs, exactly as the file is', () => {
    const shown = /<!-- docs\/nginx\.conf -->\n\n```nginx\n([\s\S]*?)```\n/.exec(section('Deploy'));
    expect(shown?.[1]).toBe(readFileSync(join(ROOT, 'docs/nginx.conf'), 'utf8'));
  });
});
