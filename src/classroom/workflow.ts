import { VENDORED_CLI } from './vendorCli';

/** Where the grading workflow goes in a template. */
export const WORKFLOW_FILE = '.github/workflows/leakhunt.yml';
/** The grading step's id: the Classroom reporter reads `<ID>_RESULTS` and `runners: <id>`. */
export const GRADE_STEP_ID = 'leakhunt';
/** The JUnit file the grading step writes and the workflow keeps as an artifact. */
export const JUNIT_FILE = 'leakhunt-junit.xml';

export interface WorkflowOptions {
  /** The exercise comes from a pack: the instructor agreed to its commands when making the template. */
  allowCommands: boolean;
}

/** The grading command exactly as the workflow runs it, from the template's root. */
export function gradeCommandLine(options: WorkflowOptions): string {
  return [
    'node',
    VENDORED_CLI,
    'grade',
    '.',
    '--autograding',
    '--junit',
    JUNIT_FILE,
    ...(options.allowCommands ? ['--allow-commands'] : []),
  ].join(' ');
}

/**
 * `.github/workflows/leakhunt.yml`: every push is graded by the vendored CLI (tests and leak
 * check, exit 0 pass, 1 fail, 2 error). Named and shaped as GitHub Classroom's autograding
 * workflows are (`Autograding Tests`, job `run-autograding-tests`, the grading reporter fed the
 * step's `result` output), so Classroom shows the points; on any other repository the run's
 * status and the JUnit artifact tell the same. Text rather than a YAML library: the file is
 * fixed apart from one flag, and its comments are part of what an instructor reads.
 */
export function workflowYaml(options: WorkflowOptions): string {
  return `# Grades every push with Leak Hunt: the exercise's tests and its leak check.
# The command line is vendored in .leakhunt/cli, so grading needs no package registry.
name: Autograding Tests
on:
  push:
  workflow_dispatch:
  repository_dispatch:
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    # GitHub Classroom's own first commit to a learner's repository is not graded.
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 20
    steps:
      - name: Check out the code
        uses: actions/checkout@v4
      - name: Set up Node.js
        uses: actions/setup-node@v4
        with:
          node-version: '20'
      - name: Grade with Leak Hunt
        id: ${GRADE_STEP_ID}
        run: ${gradeCommandLine(options)}
      - name: Keep the JUnit report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: leakhunt-junit
          path: ${JUNIT_FILE}
          if-no-files-found: ignore
      - name: Report points to GitHub Classroom
        if: always()
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          ${GRADE_STEP_ID.toUpperCase()}_RESULTS: "\${{ steps.${GRADE_STEP_ID}.outputs.result }}"
        with:
          runners: ${GRADE_STEP_ID}
`;
}
