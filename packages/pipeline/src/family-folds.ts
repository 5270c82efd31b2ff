import { createSeededRandom, type SeededRandom } from '@dga/features';

/** One labelled row as the family-held-out folds see it: features are a pure function of `key`. */
export interface LabelledKey {
  /** The domain label (what the features are computed from). */
  key: string;
  /** 0 = legit, 1 = DGA. */
  label: 0 | 1;
  /** `legit` or the DGA family. */
  subclass: string;
}

/** Seed offsets, so the fold assignments never reuse the training's random streams. */
const FAMILY_STREAM = 0x46414d31;
const LEGIT_STREAM = 0x4c454731;

/** In-place seeded Fisher–Yates shuffle. */
function shuffle<T>(values: T[], random: SeededRandom): T[] {
  for (let index = values.length - 1; index > 0; index -= 1) {
    const other = random.nextInt(index + 1);
    [values[index], values[other]] = [values[other]!, values[index]!];
  }
  return values;
}

/**
 * Splits DGA families into `folds` groups of about equal row count, deterministically from
 * `seed`: families (sorted by name) are shuffled with the seed, then ordered by size, largest
 * first (a stable sort, so the seed only orders families of equal size), and each goes to the
 * group with the fewest rows so far (the lowest index on a tie). This greedy "largest first"
 * rule keeps the groups within one family's size of each other, which matters when families
 * hold from 5 to 5,000 rows. Returns family → fold index (0-based).
 *
 * @example
 * assignFamilyFolds(new Map([['a', 5000], ['b', 3000], ['c', 2000]]), 2, 42); // a → 0, b → 1, c → 1
 */
export function assignFamilyFolds(familySizes: ReadonlyMap<string, number>, folds: number, seed: number): Map<string, number> {
  const random = createSeededRandom((seed ^ FAMILY_STREAM) >>> 0);
  const families = shuffle([...familySizes.keys()].sort(), random);
  families.sort((left, right) => familySizes.get(right)! - familySizes.get(left)!);
  const load = new Array<number>(folds).fill(0);
  const assignment = new Map<string, number>();
  for (const family of families) {
    let lightest = 0;
    for (let fold = 1; fold < folds; fold += 1) if (load[fold]! < load[lightest]!) lightest = fold;
    assignment.set(family, lightest);
    load[lightest]! += familySizes.get(family)!;
  }
  return assignment;
}

/**
 * Splits the distinct legit labels into `folds` groups of equal size (round robin over a seeded
 * shuffle of the sorted labels), so each fold scores legit labels its model never saw, and every
 * copy of a label lands in the same fold. Also draws, per label, whether it belongs to the
 * training subsample of `trainFraction` (a second seeded draw). Returns label → fold and the
 * training subsample.
 */
export function assignLegitFolds(keys: Iterable<string>, folds: number, seed: number, trainFraction: number): { fold: Map<string, number>; inTrainingSample: Set<string> } {
  const random = createSeededRandom((seed ^ LEGIT_STREAM) >>> 0);
  const distinct = shuffle([...new Set(keys)].sort(), random);
  const fold = new Map<string, number>();
  const inTrainingSample = new Set<string>();
  distinct.forEach((key, index) => {
    fold.set(key, index % folds);
    if (random.next() < trainFraction) inTrainingSample.add(key);
  });
  return { fold, inTrainingSample };
}

/**
 * The rows of each DGA family a fold may train on: all of them, or a seeded sample of
 * `maxPerFamily` (row indices into `rows`). A family is never trained on in the fold that scores it.
 */
export function sampleFamilyRows(rows: readonly LabelledKey[], maxPerFamily: number | null, seed: number): Set<number> {
  const byFamily = new Map<string, number[]>();
  rows.forEach((row, index) => {
    if (row.label !== 1) return;
    const indices = byFamily.get(row.subclass) ?? [];
    indices.push(index);
    byFamily.set(row.subclass, indices);
  });
  const random = createSeededRandom((seed ^ FAMILY_STREAM ^ LEGIT_STREAM) >>> 0);
  const kept = new Set<number>();
  for (const family of [...byFamily.keys()].sort()) {
    const indices = byFamily.get(family)!;
    const chosen = maxPerFamily === null || indices.length <= maxPerFamily ? indices : shuffle([...indices], random).slice(0, maxPerFamily);
    for (const index of chosen) kept.add(index);
  }
  return kept;
}
