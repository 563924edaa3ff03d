import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as vscode from 'vscode';
import { namedFiles } from '../support/manifestFiles';
import { ask, click, pause, screenshotInThemes } from './workbench';

// Leak Hunt as a user gets it: trustOnHost.sh with LEAKHUNT_PACKAGED=1 installs the .vsix with
// code-server's --install-extension; the sources are not loaded at all.

const extensionId = 'leak-hunt.leak-hunt';
/** This file runs from out/test/integration/ in the repository. */
const repository = resolve(__dirname, '..', '..', '..');

interface Manifest {
  version: string;
  contributes: {
    walkthroughs: {
      id: string;
      steps: { id: string; title: string; media: { markdown?: string } }[];
    }[];
  };
}

/** A sentence of a step's media as the page shows it: its first paragraph line, without markup. */
function firstLineShown(markdown: string): string {
  const line = markdown.split('\n').find((l) => l.trim() && !l.startsWith('#'));
  assert.ok(line, 'the media has a paragraph');
  return line.replace(/[*_`]/g, '').trim();
}

suite('The packaged .vsix, installed', () => {
  let extension: vscode.Extension<unknown>;
  let manifest: Manifest;

  suiteSetup(() => {
    const found = vscode.extensions.getExtension(extensionId);
    assert.ok(found, `${extensionId} is installed`);
    extension = found;
    manifest = extension.packageJSON as Manifest;
  });

  test('runs from the installed package, not from the sources', () => {
    const fromRepository = relative(repository, extension.extensionPath);
    assert.ok(
      fromRepository.startsWith('..'),
      `${extension.extensionPath} is outside the repository`,
    );
    assert.match(extension.extensionPath, new RegExp(`${extensionId}-${manifest.version}$`));
  });

  test('every file the manifest names is in the package', () => {
    const named = namedFiles(manifest.contributes);
    assert.ok(named.length >= 5, named.join(', '));
    assert.deepEqual(
      named.filter((file) => !existsSync(join(extension.extensionPath, file))),
      [],
    );
  });

  test("the walkthrough shows every step's media, and no error", async () => {
    const [walkthrough] = manifest.contributes.walkthroughs;
    assert.ok(walkthrough);
    await vscode.commands.executeCommand(
      'workbench.action.openWalkthrough',
      `${extensionId}#${walkthrough.id}`,
    );
    await pause(2000);
    for (const [index, step] of walkthrough.steps.entries()) {
      assert.ok(step.media.markdown, `step ${step.id} has Markdown media`);
      // The first step opens selected; the others are selected as a learner does, by a click.
      if (index > 0)
        click({ css: `button.getting-started-step:has-text(${JSON.stringify(step.title)})` });
      const text = firstLineShown(
        readFileSync(join(extension.extensionPath, step.media.markdown), 'utf8'),
      );
      const { found } = await ask<{ found: boolean }>({ text });
      assert.ok(found, `step ${step.id} shows its media ("${text}")`);
      if (index === 0) await screenshotInThemes('walkthrough');
    }
    // Every notification, including those a toast would have hidden already.
    await vscode.commands.executeCommand('notifications.showList');
    await pause(1000);
    const { messages } = await ask<{ messages: string[] }>({ notifications: true });
    assert.deepEqual(
      messages.filter((m) => /error|cannot|failed/i.test(m)),
      [],
      'no error notification',
    );
    await vscode.commands.executeCommand('notifications.hideList');
  });
});
