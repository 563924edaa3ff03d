import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import Ajv2019 from 'ajv/dist/2019';
import { writeClassroomTemplates } from '../../../src/classroom/templates';
import { builtInExercisesDir, packageRoot } from '../../../src/common/packageRoot';

// The dev-container spec's JSON schema (draft 2019-09) ships in no npm package; a copy of it,
// with its source commit and licence, lives in test/fixtures/devcontainer/.
const schemaFile = resolve(
  packageRoot(),
  'test',
  'fixtures',
  'devcontainer',
  'devContainer.base.schema.json',
);

test('devcontainer.json is valid under the dev-container schema, and the schema rejects a broken one', async (t) => {
  const schema = JSON.parse(await readFile(schemaFile, 'utf8')) as object;
  // The schema carries editor keywords (markdownDescription, deprecationMessage…) and `uri`
  // formats: not errors, so strict mode and format checks are off.
  const validate = new Ajv2019({ strict: false, validateFormats: false, allErrors: true }).compile(
    schema,
  );
  const out = await mkdtemp(join(tmpdir(), 'leakhunt-devcontainer-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  const templates = await writeClassroomTemplates(builtInExercisesDir(), out);
  let config: Record<string, unknown> = {};
  for (const template of templates) {
    const file = join(template.dir, '.devcontainer', 'devcontainer.json');
    config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    assert.equal(validate(config), true, `${file}: ${JSON.stringify(validate.errors)}`);
  }
  // The same check refuses what the spec does not allow, so a pass above means something.
  assert.equal(validate({ ...config, image: 20 }), false);
  assert.equal(validate({ ...config, postCreateCommand: 42 }), false);
  assert.equal(validate({ ...config, imageName: config.image }), false);
});
