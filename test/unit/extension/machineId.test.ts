import assert from 'node:assert/strict';
import { test } from 'node:test';
import { realMachineId } from '../../../src/extension/progress/machineId';
import { exportProgressJson } from '../../../src/progress/export';

test('code-server’s placeholder machine id is no machine id', () => {
  assert.equal(realMachineId('someValue.machineId'), undefined);
  assert.equal(realMachineId(''), undefined);
  const real = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
  assert.equal(realMachineId(real), real);
});

test('the export leaves out a machine id it does not have', () => {
  const json = exportProgressJson(
    [],
    { learner: 'Ada', machineId: realMachineId('someValue.machineId') },
    Date.UTC(2026, 0, 5),
  );
  assert.doesNotMatch(json, /machineId/);
  assert.match(json, /"learner": "Ada"/);
});
