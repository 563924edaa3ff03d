import type { CommandEntry } from '../command';

/**
 * Every `leakhunt` sub-command, in the order `leakhunt help` lists them. Each module is loaded
 * only when its command runs (or its help is asked for): `--version`, `--help` and a heap
 * command then never evaluate the inspector client and its protocol tables, or the schema
 * validator.
 */
export const commands: CommandEntry[] = [
  {
    name: 'validate',
    summary: 'Prove exercises right: pristine app leaks and fails its tests, the solution passes',
    load: async () => (await import('./validate.js')).validateCommand,
  },
  {
    name: 'pack',
    summary: 'Pack an exercise set into one .zip for learners (no solutions) or graders',
    load: async () => (await import('./pack.js')).packCommand,
  },
  {
    name: 'unpack',
    summary: 'Check a pack and unpack it into a new folder (nothing is written if any check fails)',
    load: async () => (await import('./unpack.js')).unpackCommand,
  },
  {
    name: 'summary',
    summary: 'Summarise a .heapsnapshot: objects per class with self and retained sizes',
    load: async () => (await import('./summary.js')).summaryCommand,
  },
  {
    name: 'diff',
    summary: 'Diff heap snapshots by object id; with three, list leak suspects that survived',
    load: async () => (await import('./diff.js')).diffCommand,
  },
  {
    name: 'hunt',
    summary: 'Run services under load, snapshot the one that grows and list leak suspects',
    load: async () => (await import('./hunt.js')).huntCommand,
  },
  {
    name: 'check',
    summary:
      'Leak or no leak: heap after GC at N, 2N, 4N requests (exit 0 no leak, 1 leak, 2 error)',
    load: async () => (await import('./check.js')).checkCommand,
  },
  {
    name: 'open',
    summary: "Copy an exercise's app into a folder of your own, to work on without the editor",
    load: async () => (await import('./open.js')).openCommand,
  },
  {
    name: 'hint',
    summary: 'Show the next hint, per leak with --leak N (recorded in your progress)',
    load: async () => (await import('./hint.js')).hintCommand,
  },
  {
    name: 'verify',
    summary: 'Run the tests, then the leak check, on your fix; --watch reruns on every save',
    load: async () => (await import('./verify.js')).verifyCommand,
  },
  {
    name: 'debrief',
    summary: 'What leaked, why, and the other ways to fix it; once the exercise is solved',
    load: async () => (await import('./debrief.js')).debriefCommand,
  },
  {
    name: 'grade',
    summary: 'Grade a workspace for CI: points per test and for the leak check, JUnit, autograding',
    load: async () => (await import('./grade.js')).gradeCommand,
  },
  {
    name: 'classroom',
    summary: 'Make a template repository per exercise: dev container and CI grading on every push',
    load: async () => (await import('./classroom.js')).classroomCommand,
  },
  {
    name: 'report',
    summary: "One class view (HTML with a chart, or CSV) from many learners' progress exports",
    load: async () => (await import('./report.js')).reportCommand,
  },
];
