import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { commandIds } from '../../../src/extension/commandIds';
import { packageRoot } from '../../../src/common/packageRoot';

interface Step {
  id: string;
  completionEvents?: string[];
}

const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
  contributes: { walkthroughs: { id: string; steps: Step[] }[] };
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

test('every walkthrough step completes on a state any view reaches, not only on one command', () => {
  const extensionSources = sources(join(packageRoot(), 'src', 'extension')).join('\n');
  for (const walkthrough of manifest.contributes.walkthroughs) {
    for (const step of walkthrough.steps) {
      const events = step.completionEvents ?? [];
      const contexts = events.filter((e) => e.startsWith('onContext:'));
      assert.ok(contexts.length > 0, `step ${step.id} has an onContext: completion event`);
      for (const event of contexts) {
        const key = /^onContext:([\w.]+)/.exec(event)?.[1];
        assert.ok(key, event);
        assert.ok(
          extensionSources.includes(`'${key}'`),
          `step ${step.id}: the extension sets context key ${key}`,
        );
      }
      for (const event of events.filter((e) => e.startsWith('onCommand:')))
        assert.ok(
          (commandIds as string[]).includes(event.slice('onCommand:'.length)),
          `step ${step.id}: ${event} names a Leak Hunt command`,
        );
    }
  }
});
