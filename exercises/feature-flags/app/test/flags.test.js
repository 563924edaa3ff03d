import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { createFlagService } from '../flags/service.js';
import { listen, close, request, bytesKeptPerRequest, agent } from '../testkit/helpers.js';

const server = createFlagService();
let base;

before(async () => {
  base = await listen(server);
});

after(async () => {
  agent.destroy();
  await close(server);
});

const publish = (body) => request(`${base}/flags/updates`, { method: 'POST', body });
const evaluate = (flag, user) => request(`${base}/flags/${flag}?user=${user}`);

test('an allow-list flag is on for the listed users only', async () => {
  const published = await publish({
    flags: { 'beta-search': { allow: ['u-1', 'u-2'] } },
    author: 'ada',
    note: 'beta testers',
  });
  assert.equal(published.status, 200);
  assert.match(published.body.latest, /by ada: beta testers \(beta-search\)/);
  assert.equal((await evaluate('beta-search', 'u-1')).body.on, true);
  assert.equal((await evaluate('beta-search', 'u-3')).body.on, false);
});

test('an update changes the flags it names and leaves the others in force', async () => {
  await publish({ flags: { 'dark-mode': { enabled: true }, 'new-cart': { enabled: false } } });
  const { body } = await publish({ flags: { 'new-cart': { enabled: true } }, author: 'grace' });
  const darkMode = await evaluate('dark-mode', 'u-9');
  const newCart = await evaluate('new-cart', 'u-9');
  assert.equal(darkMode.body.on, true);
  assert.equal(newCart.body.on, true);
  assert.equal(newCart.body.version, body.version);
  assert.equal((await evaluate('beta-search', 'u-2')).body.on, true);
});

test('a percentage rollout is stable per user and close to its share', async () => {
  await publish({ flags: { 'fast-checkout': { percent: 30 } } });
  let on = 0;
  for (let i = 0; i < 200; i++) {
    const { body } = await evaluate('fast-checkout', `user-${i}`);
    if (body.on) on++;
  }
  assert.ok(on > 35 && on < 85, `${on} of 200 users`);
  const first = await evaluate('fast-checkout', 'user-7');
  const again = await evaluate('fast-checkout', 'user-7');
  assert.equal(first.body.on, again.body.on);
});

test('an unknown flag is a 404 and a rule it cannot read is a 400', async () => {
  assert.equal((await evaluate('no-such-flag', 'u-1')).status, 404);
  const bad = await publish({ flags: { broken: { colour: 'red' } } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error, /broken: unknown rule/);
});

test('after a long replay of updates, a flag set before it still answers', async () => {
  await publish({ flags: { 'legacy-banner': { allow: ['u-42'] } }, note: 'set once, long ago' });
  for (let batch = 0; batch < 15; batch++) {
    const updates = Array.from({ length: 1000 }, (_, i) => ({
      flags: { [`ramp-${i % 10}`]: { percent: (batch * 7 + i) % 100 } },
      author: 'flag-admin',
      note: `replayed ${batch}-${i}`,
    }));
    assert.equal((await publish(updates)).status, 200);
  }
  const { status, body } = await evaluate('legacy-banner', 'u-42');
  assert.equal(status, 200);
  assert.equal(body.on, true);
});

test('memory: the service stays flat while updates keep arriving', async (t) => {
  const perUpdate = await bytesKeptPerRequest({
    warmup: 500,
    count: 2000,
    send: (i) =>
      publish({
        flags: { [`ramp-${i % 10}`]: { percent: i % 100 }, 'new-cart': { enabled: i % 2 === 0 } },
        author: 'flag-admin',
        note: `ramp step ${i}`,
      }),
  });
  t.diagnostic(`heap kept per update: ${Math.round(perUpdate)} bytes`);
  assert.ok(perUpdate < 300, `the flag service kept ${Math.round(perUpdate)} bytes per update`);
});
