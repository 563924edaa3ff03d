import { resolve } from 'node:path';
import { writeClassroomTemplates } from '../../classroom/templates';
import { DEFAULT_EXTENSION, DEFAULT_IMAGE, isExtensionId } from '../../classroom/devcontainer';
import { printable } from '../../common/text';
import { UsageError, type CliCommand } from '../command';

/** `leakhunt classroom`: a template repository per exercise, with a dev container and CI grading. */
export const classroomCommand: CliCommand = {
  usage: '<set-dir> -o <dir>',
  options: {
    output: {
      type: 'string',
      short: 'o',
      valueName: '<dir>',
      description: 'Folder to write the templates into, one sub-folder per exercise',
    },
    image: {
      type: 'string',
      valueName: '<image>',
      description: `Dev-container image (default ${DEFAULT_IMAGE})`,
    },
    extension: {
      type: 'string',
      valueName: '<id>',
      description: `Marketplace id of the extension the dev container installs (default ${DEFAULT_EXTENSION})`,
    },
    json: { type: 'boolean', description: 'Print the templates written as JSON' },
    'allow-commands': {
      type: 'boolean',
      description:
        "The set came from a pack: agree that CI runs its exercises' setup, tests and services",
    },
  },
  examples: [
    'leakhunt classroom exercises -o classroom',
    'leakhunt classroom ./imported/set -o classroom --allow-commands',
  ],
  async run({ positionals, values }, io) {
    if (positionals.length !== 1) throw new UsageError('expects one set folder');
    if (typeof values.output !== 'string') throw new UsageError('needs -o <dir>');
    if (typeof values.extension === 'string' && !isExtensionId(values.extension))
      throw new UsageError(
        `--extension takes a marketplace id, publisher.name (got '${printable(values.extension)}')`,
      );
    const templates = await writeClassroomTemplates(
      resolve(io.cwd, positionals[0]!),
      resolve(io.cwd, values.output),
      {
        ...(typeof values.image === 'string' ? { image: values.image } : {}),
        ...(typeof values.extension === 'string' ? { extension: values.extension } : {}),
        allowCommands: values['allow-commands'] === true,
      },
    );
    if (values.json === true) {
      io.out(JSON.stringify(templates, null, 2));
      return 0;
    }
    for (const t of templates) {
      io.out(`${t.dir}: ${printable(t.title)} (${t.files} files)`);
      if (t.missingTypeScript)
        io.err(
          `  warning: '${t.exerciseId}' has a setup step but no TypeScript compiler was found to vendor; ` +
            'CI grading will have none (set LEAKHUNT_TYPESCRIPT and run again)',
        );
    }
    io.out(
      'Push each folder to a repository of its own and mark it a template ' +
        '(GitHub: Settings → Template repository); every push is graded by .github/workflows/leakhunt.yml.',
    );
    return 0;
  },
};
