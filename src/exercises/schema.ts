import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../common/packageRoot';
import { printable } from '../common/text';
import { minRequestsPerRung } from '../hunt/verdict';
import { commandPolicyProblems } from './commandPolicy';
import type { Problem } from './errors';
import { normalisedPath } from './files';
import type { ExerciseManifest, ExerciseSet } from './manifest';

/** Compiled validators for `exercise.json` and `set.json`, from the schemas shipped in `schemas/`. */
export interface ManifestValidators {
  exercise: ValidateFunction<ExerciseManifest>;
  set: ValidateFunction<ExerciseSet>;
}

const compiled = new Map<string, ManifestValidators>();

/**
 * The validators for the schemas in `schemaDir` (default: Leak Hunt's own `schemas/`). The same
 * schema files give instructors completion in VS Code, so there is one source of truth.
 * Compiled once per folder: the schemas are immutable files.
 */
export function manifestValidators(schemaDir = join(packageRoot(), 'schemas')): ManifestValidators {
  const known = compiled.get(schemaDir);
  if (known) return known;
  const ajv = new Ajv({ allErrors: true, strict: true });
  const read = (name: string): object =>
    JSON.parse(readFileSync(join(schemaDir, name), 'utf8')) as object;
  const validators = {
    exercise: ajv.compile<ExerciseManifest>(read('exercise.schema.json')),
    set: ajv.compile<ExerciseSet>(read('set.schema.json')),
  };
  compiled.set(schemaDir, validators);
  return validators;
}

/**
 * Ajv's errors as problems with JSON pointers, one line each. Keys come from the file (an
 * unknown property, a pointer through one), so they are escaped for the terminal.
 */
export function schemaProblems(errors: ErrorObject[] | null | undefined): Problem[] {
  return (errors ?? []).map((error) => {
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'additionalProperties')
      message = `unknown property '${printable(String(error.params.additionalProperty))}'`;
    else if (error.keyword === 'enum')
      message = `must be one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
    return { where: printable(error.instancePath) || '/', message };
  });
}

/**
 * Checks that go beyond the schema: service names are unique, every request and the check
 * name a declared service, and services' node options and environment are on the allow-list.
 */
export function crossReferenceProblems(manifest: ExerciseManifest): Problem[] {
  const problems: Problem[] = [];
  const names = new Set<string>();
  manifest.services.forEach((service, i) => {
    if (names.has(service.name))
      problems.push({
        where: `/services/${i}/name`,
        message: `duplicate service '${service.name}'`,
      });
    names.add(service.name);
  });
  const requireService = (where: string, name: string): void => {
    if (!names.has(name)) problems.push({ where, message: `no service named '${name}'` });
  };
  manifest.load.requests.forEach((r, i) =>
    requireService(`/load/requests/${i}/service`, r.service),
  );
  requireService('/check/service', manifest.check.service);
  manifest.check.requests?.forEach((r, i) =>
    requireService(`/check/requests/${i}/service`, r.service),
  );
  // Bounds the schema cannot state: they depend on the threshold.
  const tooFew = (where: string, count: number, threshold: number): void => {
    const fewest = minRequestsPerRung(threshold);
    if (count < fewest)
      problems.push({
        where,
        message:
          `${count} requests per load are too few for a verdict with a threshold of ` +
          `${threshold} bytes per request; at least ${fewest} ` +
          `(docs/hunt.md, "Fewest requests for a verdict")`,
      });
  };
  const threshold = manifest.check.thresholdBytesPerRequest;
  tooFew('/check/step', manifest.check.step, threshold);
  if (manifest.load.count !== undefined) tooFew('/load/count', manifest.load.count, threshold);
  problems.push(...leakProblems(manifest, requireService, tooFew));
  // Node options and environment can load code from anywhere: only the allow-list passes.
  problems.push(...commandPolicyProblems(manifest));
  return problems;
}

/**
 * The per-leak shape: a leak exercise names its leaks (each fixed by its own solution files) and
 * a debrief; a no-leak one names no leaks and needs no solution. A manifest with neither `expect`
 * nor `leaks` is of the older shape: at least three general hints, no debrief required.
 */
function leakProblems(
  manifest: ExerciseManifest,
  requireService: (where: string, name: string) => void,
  tooFew: (where: string, count: number, threshold: number) => void,
): Problem[] {
  const problems: Problem[] = [];
  const leaks = manifest.leaks ?? [];
  const olderShape = manifest.expect === undefined && manifest.leaks === undefined;
  if (olderShape) {
    if ((manifest.hints?.length ?? 0) < 3)
      problems.push({
        where: '/hints',
        message: 'an exercise without leaks[] needs at least 3 hints (or declare its leaks)',
      });
  } else if (manifest.debrief === undefined)
    problems.push({ where: '/debrief', message: 'a debrief is required with leaks[] or expect' });
  if (manifest.expect === 'no-leak') {
    if (leaks.length)
      problems.push({ where: '/leaks', message: 'a no-leak exercise must not declare leaks' });
  } else {
    if (!olderShape && !leaks.length)
      problems.push({ where: '/leaks', message: 'a leak exercise declares at least one leak' });
    if (manifest.solution === undefined)
      problems.push({ where: '/solution', message: 'a leak exercise needs a solution folder' });
  }
  const ids = new Set<string>();
  const fixers = new Map<string, number>();
  leaks.forEach((leak, i) => {
    if (ids.has(leak.id))
      problems.push({ where: `/leaks/${i}/id`, message: `duplicate leak '${leak.id}'` });
    ids.add(leak.id);
    leak.fixedBy.forEach((file, j) => {
      const key = normalisedPath(file);
      const other = fixers.get(key);
      if (other !== undefined && other !== i)
        problems.push({
          where: `/leaks/${i}/fixedBy/${j}`,
          message: `${printable(file)} already fixes leak '${leaks[other]!.id}'; each solution file fixes one leak`,
        });
      fixers.set(key, i);
    });
    const check = leak.check;
    if (!check) return;
    if (check.service !== undefined) requireService(`/leaks/${i}/check/service`, check.service);
    check.requests?.forEach((r, j) =>
      requireService(`/leaks/${i}/check/requests/${j}/service`, r.service),
    );
    tooFew(
      `/leaks/${i}/check/step`,
      check.step ?? manifest.check.step,
      check.thresholdBytesPerRequest ?? manifest.check.thresholdBytesPerRequest,
    );
  });
  return problems;
}
