import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RestartAdvisor, affectsServices } from '../../../src/extension/session/restartAdvisor';

/** A clock the test moves by hand: timers run when `advance` passes their time. */
class FakeClock {
  private now = 0;
  private next = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  setTimeout = (callback: () => void, ms: number): number => {
    const id = this.next++;
    this.timers.set(id, { at: this.now + ms, callback });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  advance(ms: number): void {
    this.now += ms;
    for (const [id, timer] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > this.now) continue;
      this.timers.delete(id);
      timer.callback();
    }
  }
}

function advisor(clock: FakeClock) {
  const prompts: string[][] = [];
  let close: () => void = () => undefined;
  const instance = new RestartAdvisor({
    quietMs: 1000,
    prompt: (files) => {
      prompts.push([...files]);
      return new Promise<void>((resolve) => (close = resolve));
    },
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
  });
  return { instance, prompts, close: () => close() };
}

/** Lets the promise callbacks of a closed prompt run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('service code counts; snapshots, tests, dependencies and editor state do not', () => {
  for (const path of [
    'user/service.js',
    'web/server.mjs',
    'src/app.ts',
    'dist/server.js',
    'package.json',
    'user\\service.js',
  ])
    assert.equal(affectsServices(path), true, path);
  for (const path of [
    '.leakhunt/snapshots/user-1.heapsnapshot',
    '.leakhunt/exercise.json',
    '.vscode/settings.json',
    'test/user.test.js',
    'user/service.test.js',
    'node_modules/express/index.js',
    'scenario.md',
    'user/.service.js.swp',
    '../elsewhere/server.js',
  ])
    assert.equal(affectsServices(path), false, path);
});

test('a burst of saves prompts once, after the quiet time, naming every file', () => {
  const clock = new FakeClock();
  const { instance, prompts } = advisor(clock);
  instance.fileChanged('user/service.js');
  clock.advance(600);
  instance.fileChanged('user/server.js');
  instance.fileChanged('user/service.js');
  clock.advance(600);
  assert.deepEqual(prompts, [], 'still within the burst: each change restarts the quiet time');
  clock.advance(400);
  assert.deepEqual(prompts, [['user/server.js', 'user/service.js']]);
  clock.advance(5000);
  assert.equal(prompts.length, 1);
});

test('changes while the prompt is open join it; a later burst prompts again', async () => {
  const clock = new FakeClock();
  const { instance, prompts, close } = advisor(clock);
  instance.fileChanged('user/service.js');
  clock.advance(1000);
  instance.fileChanged('user/service.js');
  clock.advance(1000);
  assert.equal(prompts.length, 1, 'no second prompt while the first is open');
  close();
  await settle();
  clock.advance(1000);
  assert.equal(prompts.length, 1, 'what changed while it was open was covered by it');
  instance.fileChanged('web/server.js');
  clock.advance(1000);
  assert.deepEqual(prompts.at(-1), ['web/server.js']);
});

test('changes that cannot affect the services never prompt; nothing prompts after dispose', () => {
  const clock = new FakeClock();
  const { instance, prompts } = advisor(clock);
  instance.fileChanged('.leakhunt/snapshots/user-1.heapsnapshot');
  instance.fileChanged('test/user.test.js');
  clock.advance(5000);
  assert.deepEqual(prompts, []);
  instance.fileChanged('user/service.js');
  instance.dispose();
  clock.advance(5000);
  assert.deepEqual(prompts, []);
});
