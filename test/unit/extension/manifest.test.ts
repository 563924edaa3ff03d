import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { commandIds } from '../../../src/extension/commandIds';
import { packageRoot } from '../../../src/common/packageRoot';

interface Manifest {
  engines: { vscode: string };
  activationEvents?: string[];
  extensionKind?: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean | string } };
  contributes: {
    commands: { command: string; category?: string }[];
    viewsContainers: { activitybar: { id: string; title: string }[] };
    views: Record<string, { id: string; name: string }[]>;
    menus?: Record<string, { command: string }[]>;
  };
}

const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as Manifest;

test('the manifest contributes exactly the commands of the typed command map', () => {
  assert.deepEqual(
    manifest.contributes.commands.map((c) => c.command).sort(),
    [...commandIds].sort(),
  );
});

test('every command sits in the "Leak Hunt" palette category', () => {
  for (const command of manifest.contributes.commands)
    assert.equal(command.category, 'Leak Hunt', command.command);
});

test('menus only name contributed commands', () => {
  const known = new Set<string>(commandIds);
  for (const [menu, items] of Object.entries(manifest.contributes.menus ?? {})) {
    for (const item of items)
      assert.ok(known.has(item.command), `${menu} names unknown ${item.command}`);
  }
});

test('activation is lazy and the engine range fits the VS Code 1.139 test host', () => {
  assert.ok(!(manifest.activationEvents ?? []).includes('*'));
  const minimum = /^\^?(\d+)\.(\d+)\./.exec(manifest.engines.vscode);
  assert.ok(minimum, manifest.engines.vscode);
  assert.ok(
    Number(minimum[1]) === 1 && Number(minimum[2]) <= 96,
    `engines.vscode ${manifest.engines.vscode}`,
  );
});

test('a workspace extension with limited support in untrusted workspaces', () => {
  assert.deepEqual(manifest.extensionKind, ['workspace']);
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
});

test('the Leak Hunt view container holds the Exercises view', () => {
  const container = manifest.contributes.viewsContainers.activitybar.find(
    (c) => c.id === 'leakHunt',
  );
  assert.equal(container?.title, 'Leak Hunt');
  assert.ok(
    manifest.contributes.views.leakHunt.some(
      (v) => v.id === 'leakHunt.exercises' && v.name === 'Exercises',
    ),
  );
});
