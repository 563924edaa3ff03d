import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { IsolatedEngine, contractViolation } from '../../fixtures/heap/bad/isolatedEngine';
import { buildSnapshot, seededRandom } from '../../fixtures/heap/bad/syntheticSnapshot';

// Seeded, deterministic fuzzing of the reader and analysis: small generated snapshots mutated
// by byte flips, deletions, insertions, duplicated ranges and number changes. Every case must
// parse or throw a HeapSnapshotError with a byte offset inside the file; a failure message
// names the case's seed and mutation so it can be replayed exactly.

const SEED = 0x1ea7_4a57;
const CASES = 3000;
const DIFF_CASES = 1000;
const CHUNK_CASES = 500;

type Random = () => number;
const int = (random: Random, below: number): number => Math.floor(random() * below);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)]!;

// Bytes that matter to a JSON reader, so insertions hit the interesting states often.
const TOKENS = [
  ',',
  ']',
  '[',
  '{',
  '}',
  '"',
  ':',
  '\\',
  '\\u',
  '\\ud800',
  '-',
  '.',
  'e',
  '0',
  '9',
  ' ',
  '\n',
  '"nodes":[',
  '"strings":[',
  'null',
];
const NUMBERS = [
  '0',
  '1',
  '-1',
  '7',
  '65535',
  '4294967295',
  '4294967296',
  '1e308',
  '0.5',
  '99999999999999999999',
];

interface Mutation {
  describe: string;
  apply(bytes: Buffer): Buffer;
}

function mutation(random: Random, length: number): Mutation {
  const at = int(random, length);
  const span = 1 + int(random, Math.min(64, length));
  switch (int(random, 6)) {
    case 0: {
      const value = int(random, 256);
      return {
        describe: `set byte ${at} to 0x${value.toString(16)}`,
        apply: (b) => {
          const out = Buffer.from(b);
          out[at] = value;
          return out;
        },
      };
    }
    case 1: {
      const bit = 1 << int(random, 8);
      return {
        describe: `flip bit ${bit} of byte ${at}`,
        apply: (b) => {
          const out = Buffer.from(b);
          out[at] = (out[at] ?? 0) ^ bit;
          return out;
        },
      };
    }
    case 2:
      return {
        describe: `delete ${span} bytes at ${at}`,
        apply: (b) => Buffer.concat([b.subarray(0, at), b.subarray(at + span)]),
      };
    case 3: {
      const token = random() < 0.8 ? pick(random, TOKENS) : String.fromCharCode(int(random, 256));
      return {
        describe: `insert ${JSON.stringify(token)} at ${at}`,
        apply: (b) =>
          Buffer.concat([b.subarray(0, at), Buffer.from(token, 'latin1'), b.subarray(at)]),
      };
    }
    case 4: {
      const to = int(random, length);
      return {
        describe: `copy ${span} bytes from ${at} to ${to}`,
        apply: (b) => Buffer.concat([b.subarray(0, to), b.subarray(at, at + span), b.subarray(to)]),
      };
    }
    default: {
      const replacement = pick(random, NUMBERS);
      return {
        describe: `replace the number at or after byte ${at} with ${replacement}`,
        apply: (b) => {
          let start = at;
          while (start < b.length && !(b[start]! >= 0x30 && b[start]! <= 0x39)) start++;
          let end = start;
          while (end < b.length && b[end]! >= 0x30 && b[end]! <= 0x39) end++;
          return Buffer.concat([b.subarray(0, start), Buffer.from(replacement), b.subarray(end)]);
        },
      };
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), 'leakhunt-fuzz-'));
const engine = new IsolatedEngine(require.resolve('../../../src/heap/index'));

after(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const bases: Buffer[] = [1, 2, 5, 9].map((records) =>
  Buffer.from(
    buildSnapshot({ records, logLines: 1 + (records % 4), extraStrings: ['é中🧵', 'a\\"b'] }).text,
  ),
);

/** One case: a base snapshot and its mutated bytes, with the steps that made them. */
function mutatedCase(random: Random): { base: Buffer; bytes: Buffer; steps: string[] } {
  const base = pick(random, bases);
  // Mostly one mutation, sometimes a burst: single edits find precise checks, bursts find
  // states the reader reaches only after earlier damage.
  const count = random() < 0.75 ? 1 : 2 + int(random, 4);
  let bytes: Buffer = base;
  const steps: string[] = [];
  for (let m = 0; m < count; m++) {
    const next = mutation(random, Math.max(1, bytes.length));
    steps.push(next.describe);
    bytes = next.apply(bytes);
  }
  return { base, bytes, steps };
}

test(`${CASES} mutated snapshots each parse or throw a HeapSnapshotError`, async () => {
  const random = seededRandom(SEED);
  const failures: string[] = [];
  let parsed = 0;
  for (let i = 0; i < CASES; i++) {
    const { base, bytes, steps } = mutatedCase(random);
    const file = join(dir, 'case.heapsnapshot');
    writeFileSync(file, bytes);
    const outcome = await engine.summarize(file);
    if (outcome.kind === 'parsed') parsed++;
    const violation = contractViolation(outcome, bytes.length);
    if (violation) {
      failures.push(`case ${i} (base ${base.length} bytes; ${steps.join('; ')}): ${violation}`);
      if (outcome.kind === 'hung' || outcome.kind === 'crashed') break;
    }
  }
  assert.deepEqual(failures.slice(0, 10), [], `${failures.length} case(s) broke the contract`);
  // Mutations that leave the snapshot valid (a digit changed in a size) must still parse;
  // a reader that rejects everything would pass the loop above, so require some.
  assert.ok(parsed > CASES / 50, `only ${parsed} of ${CASES} mutated snapshots parsed`);
});

// A diff reads the baseline and the target in cheaper modes (nodes only, ids only) than a
// summary: separate code paths in the reader that must hold the same contract.
test(`${DIFF_CASES} diffs with a mutated baseline or target each diff or throw`, async () => {
  const random = seededRandom(SEED ^ 0xd1ff);
  const good = bases.map((bytes, i) => {
    const file = join(dir, `good-${i}.heapsnapshot`);
    writeFileSync(file, bytes);
    return file;
  });
  const failures: string[] = [];
  let diffed = 0;
  for (let i = 0; i < DIFF_CASES; i++) {
    const { base, bytes, steps } = mutatedCase(random);
    const intact = good[bases.indexOf(base)]!;
    const file = join(dir, 'diff-case.heapsnapshot');
    writeFileSync(file, bytes);
    const role = pick(random, ['baseline', 'target'] as const);
    const files =
      role === 'baseline'
        ? { baseline: file, target: intact, final: intact }
        : { baseline: intact, target: file, final: intact };
    const outcome = await engine.diff(files);
    if (outcome.kind === 'diffed') diffed++;
    const violation = contractViolation(outcome, bytes.length);
    if (violation) {
      failures.push(`diff case ${i} (mutated ${role}; ${steps.join('; ')}): ${violation}`);
      if (outcome.kind === 'hung' || outcome.kind === 'crashed') break;
    }
  }
  assert.deepEqual(failures.slice(0, 10), [], `${failures.length} case(s) broke the contract`);
  assert.ok(diffed > DIFF_CASES / 50, `only ${diffed} of ${DIFF_CASES} diffs succeeded`);
});

// The reader keeps its state across reads of 4 MiB, so a token, an escape or a UTF-8 sequence
// can be split anywhere in a big file. Reading small files a few bytes at a time puts those
// splits everywhere; the outcome must not depend on where the chunks fall.
test(`${CHUNK_CASES} mutated snapshots read in tiny chunks give what one read gives`, async () => {
  const random = seededRandom(SEED ^ 0xc4c4);
  const file = join(dir, 'chunk-case.heapsnapshot');
  const differences: string[] = [];
  const sameOutcome = async (what: string, chunkSize: number): Promise<void> => {
    const whole = await engine.read(file);
    const chunked = await engine.read(file, chunkSize);
    if (JSON.stringify(whole) !== JSON.stringify(chunked))
      differences.push(
        `${what}, chunks of ${chunkSize}: ${JSON.stringify(whole)} vs ${JSON.stringify(chunked)}`,
      );
  };
  for (const [i, base] of bases.entries()) {
    writeFileSync(file, base);
    for (const chunkSize of [1, 2, 3, 5, 8, 13, 64]) await sameOutcome(`base ${i}`, chunkSize);
  }
  for (let i = 0; i < CHUNK_CASES; i++) {
    const { bytes, steps } = mutatedCase(random);
    writeFileSync(file, bytes);
    await sameOutcome(`case ${i} (${steps.join('; ')})`, 1 + int(random, 24));
  }
  assert.deepEqual(differences.slice(0, 10), [], `${differences.length} case(s) differ`);
});
