import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../../src/common/packageRoot';

type MenuEntry = { command: string; when?: string };
const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
  contributes: { menus: Record<string, MenuEntry[]> };
};

/** Every place a command is offered: each menu it is in, with that menu's `when` clause. */
function offers(command: string): { menu: string; when: string }[] {
  const found = Object.entries(manifest.contributes.menus).flatMap(([menu, entries]) =>
    entries
      .filter((entry) => entry.command === command)
      .map((entry) => ({ menu, when: entry.when ?? '' })),
  );
  // A command without a commandPalette entry is in the palette unconditionally.
  if (!found.some((offer) => offer.menu === 'commandPalette'))
    found.push({ menu: 'commandPalette', when: '' });
  return found;
}

test('Stop Load is offered only while load runs', () => {
  for (const { menu, when } of offers('leakHunt.stopLoad'))
    assert.match(
      when,
      /(^|&& )leakHunt\.loadRunning\b|viewItem == loadRunning/,
      `${menu}: "${when}"`,
    );
});

test('Start Load is offered only with services running and no load yet', () => {
  for (const { menu, when } of offers('leakHunt.startLoad')) {
    assert.match(when, /leakHunt\.sessionRunning|viewItem == loadIdle/, `${menu}: "${when}"`);
    assert.match(when, /!leakHunt\.loadRunning|viewItem == loadIdle/, `${menu}: "${when}"`);
  }
});
