import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { resolveExercisesFolder } from './exercises/destination';

export interface LoadDefaults {
  rate: number;
  concurrency: number;
  count: number;
}

/** Leak Hunt's settings, read fresh each time so changes apply without a reload. */
export interface Settings {
  /** Node executable for services, setup and tests. */
  nodePath: string;
  /** Absolute: where Open Exercise creates exercise folders. */
  exercisesFolder: string;
  samplingIntervalMs: number;
  /** Empty means "the default place for this workspace". */
  snapshotFolder: string;
  defaultLoad: LoadDefaults;
}

export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration('leakHunt');
  const load = config.get<Partial<LoadDefaults>>('defaultLoad') ?? {};
  return {
    nodePath: config.get<string>('nodePath')?.trim() || 'node',
    exercisesFolder: resolveExercisesFolder(config.get<string>('exercisesFolder') ?? '', homedir()),
    samplingIntervalMs: clamp(config.get<number>('samplingIntervalMs') ?? 500, 100, 10_000),
    snapshotFolder: config.get<string>('snapshotFolder')?.trim() ?? '',
    defaultLoad: {
      rate: clamp(load.rate ?? 200, 1, 100_000),
      concurrency: clamp(load.concurrency ?? 8, 1, 256),
      count: clamp(load.count ?? 3000, 1, 10_000_000),
    },
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Number.isFinite(value) ? value : min));
}
