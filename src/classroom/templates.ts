import { appendFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { readCatalog } from '../exercises/catalog';
import { originOfExercise, requireCommandsAllowed } from '../exercises/consent';
import type { Exercise } from '../exercises/exercise';
import { isFile } from '../exercises/files';
import { openLearnerWorkspace, scenarioPath } from '../learner/workspace';
import { DEFAULT_EXTENSION, DEFAULT_IMAGE, devContainerConfig } from './devcontainer';
import { ClassroomError } from './errors';
import { VENDORED_CLI, vendorCli } from './vendorCli';
import { JUNIT_FILE, WORKFLOW_FILE, workflowYaml } from './workflow';

/**
 * `leakhunt classroom`: one template repository per exercise of a set, for GitHub Classroom or
 * any Git host. Each holds what a learner gets from `leakhunt open` (the app, never the
 * solution, and `.leakhunt/`), the vendored CLI, a dev container and a grading workflow. The
 * scaling is left to engines that exist: Codespaces or dev containers run the editor, GitHub
 * Actions grades every push.
 */

export interface ClassroomOptions {
  image?: string;
  extension?: string;
  /** The set comes from a pack and the instructor agrees to run its commands in CI. */
  allowCommands?: boolean;
  /** Default `dist/cli.js` of this installation; tests may point elsewhere. */
  cliBundle?: string;
}

/** One template written, for the command's summary. */
export interface ClassroomTemplate {
  exerciseId: string;
  title: string;
  dir: string;
  /** Number of files written, the vendored CLI included. */
  files: number;
  /** The exercise has a setup step but no TypeScript compiler was found to vendor for it. */
  missingTypeScript: boolean;
}

const DEVCONTAINER_FILE = '.devcontainer/devcontainer.json';

/** What a learner's clone should not commit: installs, backups, snapshots, the CI report. */
const GITIGNORE_LINES = [
  '# Leak Hunt',
  'node_modules/',
  `!/${VENDORED_CLI.split('/').slice(0, -1).join('/')}/node_modules/`,
  '.leakhunt/backups/',
  '.leakhunt/snapshots/',
  '.leakhunt/*.lock*',
  '.leakhunt/*.tmp-*',
  JUNIT_FILE,
];

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).length;
}

async function writeText(dir: string, rel: string, text: string): Promise<void> {
  const path = join(dir, ...rel.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

function readme(exercise: Exercise, scenario: string): string {
  const m = exercise.manifest;
  return `# ${m.title}

${m.summary}

Difficulty: ${m.difficulty}, about ${m.minutes} minutes. Start with the bug report:
[${scenario}](${scenario}).

## Work on it

- **In a codespace or a dev container** (Code → Codespaces, or _Reopen in Container_ in VS Code):
  the Leak Hunt extension is installed and opens the bug report. Start the services, drive load,
  find the leak in the Heap Explorer; the Testing view runs the tests and the leak check.
- **In a terminal**: \`leakhunt hint .\` shows the next hint, \`leakhunt verify .\` runs the tests
  and the leak check (\`--watch\` reruns them on every save). Outside the dev container, use
  \`node ${VENDORED_CLI}\` in place of \`leakhunt\` (Node 20 or newer).

## Grading

Every push runs \`${WORKFLOW_FILE}\`: the tests and the leak check, with points.
\`node ${VENDORED_CLI} grade .\` gives the same result on your machine. Leave \`.leakhunt/\`,
\`.devcontainer/\` and \`.github/\` as they are.
`;
}

async function writeTemplate(
  exercise: Exercise,
  dir: string,
  options: ClassroomOptions,
): Promise<ClassroomTemplate> {
  const marker = await openLearnerWorkspace(exercise, dir, { selfContained: true });
  const fromPack = (await originOfExercise(exercise)) !== undefined;
  const vendored = await vendorCli(dir, {
    withTypeScript: exercise.manifest.setup !== undefined,
    ...(options.cliBundle ? { cliBundle: options.cliBundle } : {}),
  });
  const scenario = relative(dir, scenarioPath({ dir, marker, exercise })).split(sep).join('/');
  const devContainer = devContainerConfig({
    title: exercise.manifest.title,
    image: options.image ?? DEFAULT_IMAGE,
    extension: options.extension ?? DEFAULT_EXTENSION,
    scenario,
  });
  await writeText(dir, DEVCONTAINER_FILE, `${JSON.stringify(devContainer, null, 2)}\n`);
  await writeText(dir, WORKFLOW_FILE, workflowYaml({ allowCommands: fromPack }));
  // The learner's app may bring its own README and .gitignore: keep them, add to them.
  const readmeFile = (await isFile(join(dir, 'README.md'))) ? 'LEAKHUNT.md' : 'README.md';
  await writeText(dir, readmeFile, readme(exercise, scenario));
  const gitignore = join(dir, '.gitignore');
  const separator = (await isFile(gitignore)) ? '\n' : '';
  await appendFile(gitignore, `${separator}${GITIGNORE_LINES.join('\n')}\n`);
  return {
    exerciseId: exercise.manifest.id,
    title: exercise.manifest.title,
    dir,
    files: await countFiles(dir),
    missingTypeScript: exercise.manifest.setup !== undefined && !vendored.typescript,
  };
}

/**
 * Writes `<outDir>/<exercise-id>/` for every exercise of the set, in set order. Nothing is
 * written when an exercise from a pack would run commands the instructor has not agreed to, or
 * when a template folder already holds files.
 */
export async function writeClassroomTemplates(
  setDir: string,
  outDir: string,
  options: ClassroomOptions = {},
): Promise<ClassroomTemplate[]> {
  const catalog = await readCatalog(setDir);
  const out = resolve(outDir);
  for (const exercise of catalog.exercises) {
    await requireCommandsAllowed(exercise, options.allowCommands === true);
    const dir = join(out, exercise.manifest.id);
    const existing = await readdir(dir).catch(() => []);
    if (existing.length)
      throw new ClassroomError(`${dir} already holds files; pick a new output folder`);
  }
  const templates: ClassroomTemplate[] = [];
  for (const exercise of catalog.exercises)
    templates.push(await writeTemplate(exercise, join(out, exercise.manifest.id), options));
  return templates;
}
