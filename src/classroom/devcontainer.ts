import { VENDORED_CLI_DIR } from './vendorCli';

/** The official Node dev-container image: Node 20 on Debian bookworm, kept up to date upstream. */
export const DEFAULT_IMAGE = 'mcr.microsoft.com/devcontainers/javascript-node:1-20-bookworm';
/** Leak Hunt's id on the extension marketplace (`publisher.name` in package.json). */
export const DEFAULT_EXTENSION = 'leak-hunt.leak-hunt';

/**
 * `publisher.name`, optionally `@version`: what `customizations.vscode.extensions` accepts (dev
 * containers install from the marketplace; a .vsix path is not a valid entry there).
 */
export function isExtensionId(id: string): boolean {
  return /^[a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9-]*(@(\d+\.\d+\.\d+([-+][\w.-]+)?|prerelease))?$/i.test(
    id,
  );
}

export interface DevContainerOptions {
  title: string;
  image: string;
  extension: string;
  /** The file to open first, relative to the workspace (the exercise's bug report). */
  scenario: string;
}

/**
 * `.devcontainer/devcontainer.json` for a template: Codespaces or a local dev container start
 * the official Node image with the Leak Hunt extension installed; the extension activates on
 * `.leakhunt/exercise.json` and shows the bug report, which Codespaces also opens. After
 * creation, the vendored CLI is installed as `leakhunt` for work in a terminal (from the
 * repository's own folder: `--offline`, no registry).
 */
export function devContainerConfig(options: DevContainerOptions): Record<string, unknown> {
  return {
    name: `Leak Hunt: ${options.title}`,
    image: options.image,
    customizations: {
      vscode: { extensions: [options.extension] },
      codespaces: { openFiles: [options.scenario] },
    },
    postCreateCommand: `npm install --global --offline ./${VENDORED_CLI_DIR}`,
  };
}
