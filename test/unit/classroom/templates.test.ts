import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { DEFAULT_EXTENSION, isExtensionId } from '../../../src/classroom/devcontainer';
import { writeClassroomTemplates } from '../../../src/classroom/templates';
import { VENDORED_CLI } from '../../../src/classroom/vendorCli';
import { WORKFLOW_FILE } from '../../../src/classroom/workflow';
import { builtInExercisesDir, packageRoot } from '../../../src/common/packageRoot';
import { CommandsNotAllowedError, writeOrigin } from '../../../src/exercises/consent';
import { isFile, listFiles } from '../../../src/exercises/files';
import { readLearnerWorkspace } from '../../../src/learner/workspace';

// Templates are written under the system's temp folder, far from this checkout: the vendored
// CLI must find everything it needs inside the template itself.

async function templatesOfBuiltInSet() {
  const out = await mkdtemp(join(tmpdir(), 'leakhunt-classroom-'));
  const templates = await writeClassroomTemplates(builtInExercisesDir(), out);
  return { out, templates };
}

test('a template per exercise holds the learner app, the marker and the vendored CLI, never the solution', async (t) => {
  const { out, templates } = await templatesOfBuiltInSet();
  t.after(() => rm(out, { recursive: true, force: true }));
  const ids = JSON.parse(await readFile(join(builtInExercisesDir(), 'set.json'), 'utf8'))
    .exercises as string[];
  assert.deepEqual(
    templates.map((x) => x.exerciseId),
    ids,
  );
  for (const template of templates) {
    const exerciseDir = join(builtInExercisesDir(), template.exerciseId);
    // The learner CLI reads the template as a workspace of this exercise.
    const workspace = await readLearnerWorkspace(template.dir);
    assert.equal(workspace.exercise.manifest.id, template.exerciseId);
    // It finds the exercise in its own copy: no path of the instructor's machine goes along.
    assert.equal(workspace.exercise.dir, join(template.dir, '.leakhunt', 'exercise'));
    const marker = await readFile(join(template.dir, '.leakhunt', 'exercise.json'), 'utf8');
    assert.equal(marker.includes(builtInExercisesDir()), false, 'no instructor path in the marker');
    // A no-leak exercise has no solution: the learner proves there is nothing to fix.
    const { solution } = workspace.exercise.manifest;
    for (const rel of solution ? await listFiles(join(exerciseDir, solution)) : []) {
      const inTemplate = join(template.dir, ...rel.split('/'));
      const inApp = join(exerciseDir, 'app', ...rel.split('/'));
      if (await isFile(inApp))
        assert.equal(await readFile(inTemplate, 'utf8'), await readFile(inApp, 'utf8'), rel);
      else assert.equal(await isFile(inTemplate), false, `${rel} is a solution-only file`);
    }
    const vendored = JSON.parse(
      await readFile(join(template.dir, dirname(VENDORED_CLI), 'package.json'), 'utf8'),
    ) as { name: string; bin: Record<string, string> };
    assert.equal(vendored.name, 'leak-hunt');
    assert.equal(vendored.bin.leakhunt, 'leakhunt.js');
    const hasSetup = workspace.exercise.manifest.setup !== undefined;
    assert.equal(
      await isFile(join(template.dir, '.leakhunt/cli/node_modules/typescript/lib/typescript.js')),
      hasSetup,
      `${template.exerciseId}: TypeScript is vendored exactly when there is a setup step`,
    );
    assert.equal(template.missingTypeScript, false);
  }
});

test("the dev container installs this extension's marketplace id and opens the bug report", async (t) => {
  const { out, templates } = await templatesOfBuiltInSet();
  t.after(() => rm(out, { recursive: true, force: true }));
  const manifest = JSON.parse(await readFile(join(packageRoot(), 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
  };
  assert.equal(DEFAULT_EXTENSION, `${manifest.publisher}.${manifest.name}`);
  for (const template of templates) {
    const config = JSON.parse(
      await readFile(join(template.dir, '.devcontainer/devcontainer.json'), 'utf8'),
    ) as {
      image: string;
      customizations: { vscode: { extensions: string[] }; codespaces: { openFiles: string[] } };
      postCreateCommand: string;
    };
    assert.match(config.image, /^mcr\.microsoft\.com\/devcontainers\/javascript-node:/);
    assert.deepEqual(config.customizations.vscode.extensions, [DEFAULT_EXTENSION]);
    for (const file of config.customizations.codespaces.openFiles)
      assert.ok(await isFile(join(template.dir, file)), file);
    assert.match(config.postCreateCommand, /--offline \.\/\.leakhunt\/cli$/);
  }
  assert.equal(isExtensionId('leak-hunt.leak-hunt@0.1.0'), true);
  assert.equal(isExtensionId('./leak-hunt-0.1.0.vsix'), false);
});

test('a set from a pack needs the instructor to agree to its commands, and CI then passes it on', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'leakhunt-classroom-pack-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const set = join(root, 'set');
  await cp(builtInExercisesDir(), set, { recursive: true });
  await writeOrigin(set, {
    format: 'leakhunt-origin',
    formatVersion: 1,
    pack: 'course.zip',
    packSha256: 'a'.repeat(64),
    kind: 'learners',
    set: { name: 'Course', version: '1.0.0', author: 'Someone' },
    unpackedAt: '2026-01-01T00:00:00.000Z',
  });
  await assert.rejects(
    writeClassroomTemplates(set, join(root, 'refused')),
    CommandsNotAllowedError,
  );
  assert.deepEqual(await readdir(root), ['set'], 'nothing is written when refused');
  const [first] = await writeClassroomTemplates(set, join(root, 'out'), { allowCommands: true });
  const workflow = await readFile(join(first!.dir, WORKFLOW_FILE), 'utf8');
  assert.match(workflow, /grade \. .*--allow-commands/);
  assert.ok(await isFile(join(first!.dir, '.leakhunt/origin.json')));
  // A second run into the same folder refuses rather than mixing two templates.
  await assert.rejects(
    writeClassroomTemplates(set, join(root, 'out'), { allowCommands: true }),
    /already holds files/,
  );
});

interface WorkflowStep {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
  shell?: string;
  'working-directory'?: string;
}

interface StepRun {
  step: WorkflowStep;
  exitCode: number;
  output: string;
}

interface WorkflowRun {
  steps: StepRun[];
  /** Step outputs written to $GITHUB_OUTPUT, by step id. */
  outputs: Record<string, Record<string, string>>;
  /** What the Classroom reporter would have been given, decoded. */
  reported: { status: string; max_score: number; tests: { status: string }[] };
  jobFailed: boolean;
}

function runBash(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    // GitHub's default shell for `run:` on Linux runners.
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/**
 * Runs the template's workflow as GitHub Actions would on a push by a learner: every `run:` step
 * exactly as written, with bash, in the template folder, $GITHUB_OUTPUT collected per step.
 * `uses:` steps are not run; each known one has its effect reproduced or checked here, and an
 * unknown one fails the test, so a new step cannot slip through untested.
 */
async function runWorkflow(dir: string, scratch: string): Promise<WorkflowRun> {
  const workflow = parse(await readFile(join(dir, WORKFLOW_FILE), 'utf8')) as {
    on: Record<string, unknown>;
    jobs: Record<string, { if?: string; steps: WorkflowStep[] }>;
  };
  assert.ok('push' in workflow.on, 'every push is graded');
  const jobs = Object.values(workflow.jobs);
  assert.equal(jobs.length, 1);
  const job = jobs[0]!;
  // A learner pushed, not Classroom's bot: the job runs.
  assert.equal(job.if, "github.actor != 'github-classroom[bot]'");

  const steps: StepRun[] = [];
  const outputs: Record<string, Record<string, string>> = {};
  let reported: WorkflowRun['reported'] | undefined;
  let jobFailed = false;
  for (const [index, step] of job.steps.entries()) {
    const condition = step.if ?? 'success()';
    assert.ok(['success()', 'always()'].includes(condition), `unexpected condition ${condition}`);
    if (condition === 'success()' && jobFailed) continue;
    if (step.uses) {
      const [action] = step.uses.split('@');
      switch (action) {
        case 'actions/checkout':
          // The template folder is the checkout.
          break;
        case 'actions/setup-node': {
          // This Node is on PATH for the run steps; it must be the major version asked for.
          assert.equal(step.with?.['node-version'], process.versions.node.split('.')[0]);
          break;
        }
        case 'actions/upload-artifact':
          assert.ok(await isFile(join(dir, step.with!.path!)), `${step.with!.path} to upload`);
          break;
        case 'classroom-resources/autograding-grading-reporter': {
          const runners = step.with!.runners!.split(',').map((r) => r.trim());
          for (const runner of runners) {
            const variable = `${runner.toUpperCase()}_RESULTS`;
            assert.equal(step.env?.[variable], `\${{ steps.${runner}.outputs.result }}`);
            const encoded = outputs[runner]?.result;
            assert.ok(encoded, `step ${runner} wrote a result output`);
            reported = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
          }
          break;
        }
        default:
          assert.fail(`step uses ${step.uses}, which this test does not know how to stand in for`);
      }
      continue;
    }
    assert.ok(step.run, `step ${index} has neither uses nor run`);
    assert.equal(step.shell, undefined);
    assert.equal(step['working-directory'], undefined);
    assert.doesNotMatch(step.run, /\$\{\{/, 'run steps use no expressions, so they run as written');
    const outputFile = join(scratch, `github-output-${index}`);
    const { code, output } = await runBash(step.run, dir, {
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: dir,
      GITHUB_OUTPUT: outputFile,
      ...step.env,
    });
    steps.push({ step, exitCode: code, output });
    if (step.id) {
      const written = await readFile(outputFile, 'utf8').catch(() => '');
      outputs[step.id] = Object.fromEntries(
        written
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    }
    if (code !== 0) jobFailed = true;
  }
  assert.ok(reported, 'the reporter step ran');
  return { steps, outputs, reported, jobFailed };
}

test(
  "the template's workflow, run step by step as written, fails a pristine workspace and passes a solved one",
  { timeout: 600_000 },
  async (t) => {
    const { out, templates } = await templatesOfBuiltInSet();
    t.after(() => rm(out, { recursive: true, force: true }));
    const template = templates.find((x) => x.exerciseId === 'user-sessions')!;
    const solved = join(out, 'solved');
    await cp(template.dir, solved, { recursive: true });
    await cp(join(builtInExercisesDir(), 'user-sessions', 'solution'), solved, { recursive: true });

    const pristineRun = await runWorkflow(template.dir, out);
    const grade = pristineRun.steps.find((s) => s.step.run?.includes(' grade '))!;
    assert.ok(grade.step.run!.startsWith(`node ${VENDORED_CLI} grade .`));
    assert.equal(grade.exitCode, 1, grade.output);
    assert.equal(pristineRun.jobFailed, true);
    assert.equal(pristineRun.reported.status, 'fail');
    assert.ok(pristineRun.reported.tests.some((x) => x.status === 'fail'));
    const pristineJUnit = await readFile(join(template.dir, 'leakhunt-junit.xml'), 'utf8');
    assert.match(pristineJUnit, /<testsuites [^>]*failures="[1-9]/);

    const solvedRun = await runWorkflow(solved, out);
    const solvedGrade = solvedRun.steps.find((s) => s.step.run?.includes(' grade '))!;
    assert.equal(solvedGrade.exitCode, 0, solvedGrade.output);
    assert.equal(solvedRun.jobFailed, false);
    assert.equal(solvedRun.reported.status, 'pass');
    assert.ok(solvedRun.reported.max_score > 0);
    assert.ok(solvedRun.reported.tests.every((x) => x.status === 'pass'));
    const solvedJUnit = await readFile(join(solved, 'leakhunt-junit.xml'), 'utf8');
    assert.match(solvedJUnit, /<testsuites [^>]*failures="0" errors="0"/);
  },
);
