import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../common/packageRoot';
import { printable } from '../common/text';
import { minRequestsPerRung } from '../hunt/verdict';
import { commandPolicyProblems } from './commandPolicy';
import type { Problem } from './errors';
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
  const fewest = minRequestsPerRung(manifest.check.thresholdBytesPerRequest);
  const tooFew = (where: string, count: number): void => {
    if (count < fewest)
      problems.push({
        where,
        message:
          `${count} requests per load are too few for a verdict with a threshold of ` +
          `${manifest.check.thresholdBytesPerRequest} bytes per request; at least ${fewest} ` +
          `(docs/hunt.md, "Fewest requests for a verdict")`,
      });
  };
  tooFew('/check/step', manifest.check.step);
  if (manifest.load.count !== undefined) tooFew('/load/count', manifest.load.count);
  // Node options and environment can load code from anywhere: only the allow-list passes.
  problems.push(...commandPolicyProblems(manifest));
  return problems;
}
