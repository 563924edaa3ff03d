// The Chromium side of learnerHost.sh and packagedHost.sh: opens code-server's workbench with the
// extension tests, streams their output and exits with their code, like the shared host's
// runtests.js, and also does what a learner's mouse does. Tests ask for it by logging a line:
//   __screenshot__:<label>             saves <SCREENSHOT_PREFIX>-<label>.png
//   __click__:<json>                   clicks the first visible element that matches, waiting up
//                                      to 20 s for it: {"button": "Trust Folder"},
//                                      {"treeItem": "User sessions"}, {"css": "<selector>"} or,
//                                      inside webviews, {"frameCss": "<selector>"}; or presses
//                                      a key where the focus is: {"key": "ArrowRight"}
//   __query__:<json>                   writes what the page shows to the file {"answer": <path>}:
//                                      with "text": whether some frame (webviews included) shows
//                                      that text within 20 s, {"found": bool}; with
//                                      "notifications": the notifications' messages, {"messages": []}
// Extension code cannot click a tree row or a button in the trust editor, nor see what a webview
// or a notification shows; a learner can.
// Usage: node workbenchDriver.mjs <server URL> <extensionDevelopmentPath> <tests entry> <folder or ''> [screenshot prefix]
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [, , server, devPath, testsPath, folder, shot = ''] = process.argv;

async function textShown(page, text) {
  const wanted = text.replace(/\s+/g, ' ');
  for (const started = Date.now(); Date.now() - started < 20_000;) {
    for (const frame of page.frames()) {
      const shown = await frame
        .locator('body')
        .innerText({ timeout: 1000 })
        .catch(() => '');
      if (shown.replace(/\s+/g, ' ').includes(wanted)) return true;
    }
    await page.waitForTimeout(250);
  }
  return false;
}

async function answer(page, question) {
  if (question.text !== undefined) return { found: await textShown(page, question.text) };
  if (question.notifications)
    return { messages: await page.locator('.notification-list-item-message').allInnerTexts() };
  throw new Error(`cannot answer ${JSON.stringify(question)}`);
}

/** The first element matching `css` in any frame (webviews are nested iframes), within 20 s. */
async function inSomeFrame(page, css) {
  for (const started = Date.now(); Date.now() - started < 20_000;) {
    for (const frame of page.frames()) {
      const found = frame.locator(css).first();
      if (await found.isVisible().catch(() => false)) return found;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no frame shows ${css}`);
}

function locate(page, target) {
  if (target.button) return page.getByRole('button', { name: target.button, exact: true });
  if (target.treeItem)
    return page.locator('.monaco-list-row[role="treeitem"]', { hasText: target.treeItem });
  if (target.css) return page.locator(target.css);
  throw new Error(`cannot locate ${JSON.stringify(target)}`);
}

(async () => {
  const started = Date.now();
  const html = await (await fetch(`${server}/`)).text();
  const settings = html.match(/id="vscode-workbench-web-configuration" data-settings="([^"]*)"/);
  const authority = JSON.parse(
    settings[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&'),
  ).remoteAuthority;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${devPath}`],
    ['extensionTestsPath', `vscode-remote://${authority}${testsPath}`],
  ];
  // No folder: an empty window, as VS Code opens for a new user.
  const where = folder ? `folder=${encodeURIComponent(folder)}` : 'ew=true';
  const url = `${server}/?${where}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  // One request at a time, in the order the tests logged them.
  let queue = Promise.resolve();
  const act = (line) => {
    const screenshot = line.match(/^__screenshot__:(\S+)/);
    if (screenshot) {
      if (!shot) return;
      const file = `${shot.replace(/\.png$/, '')}-${screenshot[1]}.png`;
      queue = queue.then(async () => {
        await page.screenshot({ path: file });
        console.log('  [driver] saved', file);
      });
      return;
    }
    const query = line.match(/^__query__:(.*)$/);
    if (query) {
      const question = JSON.parse(query[1]);
      queue = queue.then(async () => {
        const reply = await answer(page, question).catch((error) => ({ error: String(error) }));
        writeFileSync(question.answer, JSON.stringify(reply));
      });
      return;
    }
    const click = line.match(/^__click__:(.*)$/);
    if (click) {
      const target = JSON.parse(click[1]);
      queue = queue.then(async () => {
        try {
          if (target.key) await page.keyboard.press(target.key);
          else if (target.frameCss) await (await inSomeFrame(page, target.frameCss)).click();
          else await locate(page, target).first().click({ timeout: 20_000 });
          console.log('  [driver] clicked', click[1]);
        } catch (error) {
          console.log('  [driver] could not click', click[1], String(error).split('\n')[0]);
        }
      });
    }
  };
  await page.exposeFunction('codeAutomationLog', (type, args = []) => {
    if (typeof args[0] === 'string' && /^__(screenshot|click|query)__:/.test(args[0]))
      return act(args[0]);
    if (/open-vsx\.org|AccountPolicyGate|AgentHost:/.test(String(args[0]))) return;
    console.log(...args);
  });
  await page.exposeFunction('codeAutomationExit', async (code) => {
    await queue;
    if (shot) await page.screenshot({ path: shot }).catch(() => {});
    finish(code);
  });
  await page.goto(url);
  const timeout = new Promise((resolve) => setTimeout(() => resolve('TIMEOUT'), 300_000));
  const code = await Promise.race([finished, timeout]);
  console.log(`extension tests finished: exit code ${code} after ${Date.now() - started} ms`);
  await browser.close();
  process.exit(code === 0 ? 0 : 1);
})().catch((error) => {
  console.error('FAILED', error);
  process.exit(2);
});
