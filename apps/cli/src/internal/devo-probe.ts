import { getFeatureSet, linqConstantItems, type FeatureSetName, type PslMode } from '@dga/features';
import { ExitCode, ExitError } from '../exit-error';

/** One behaviour of Devo's LINQ checked by `dga devo probe`. */
export interface ProbeCheck {
  /** Short id, also the column alias in the probe query (`p_<id>`). */
  readonly id: string;
  /** What is assumed, in words. */
  readonly assumption: string;
  readonly expected: string | number | boolean | null;
  readonly observed: string | number | boolean | null | undefined;
  readonly ok: boolean;
  /** Whether the classification query relies on it (a failure then exits 1). */
  readonly relied: boolean;
  /** What to do when it fails. */
  readonly fix?: string;
}

/** Runs one LINQ query and yields its rows (the command passes `@dga/devo-query`'s client). */
export type ProbeQueryRunner = (linq: string) => AsyncIterable<Record<string, unknown>>;

/** Options of {@link runDevoProbe}. */
export interface DevoProbeOptions {
  readonly runQuery: ProbeQueryRunner;
  /** A table with at least one row in the query's time range. */
  readonly table: string;
  /** The registered model and its Devo domain; without them the model checks are skipped. */
  readonly model?: {
    readonly name: string;
    readonly domain: string;
    readonly featureSet: FeatureSetName;
    readonly psl: PslMode;
    /** Local ONNX Runtime: rows (row-major, `size` features each) → outputs (2 per row). */
    readonly predict: (rows: Float32Array) => Promise<Float32Array>;
  };
  /** The PSL mode the labels were trained with when no model is given. @default 'all' */
  readonly psl?: PslMode;
}

interface ConstantCheck {
  readonly id: string;
  readonly assumption: string;
  readonly expression: string;
  readonly expected: string | number | boolean | null;
  readonly tolerance?: number;
  readonly relied: boolean;
  readonly fix: (observed: unknown) => string;
}

/** Labels scored by the registered model and by local ONNX Runtime. */
const modelLabels = ['google', 'xjwqkdo7zlf3qpu'] as const;
const privateHost = 'fizrbzba.dyndns.org';

/** Whether a feature set's LINQ calls `name` (`substring`: the `ngram` pair shares and `char` codes; `locate`: the `char` codes). */
function usesFunction(featureSet: FeatureSetName | undefined, name: string): boolean {
  return featureSet !== undefined && getFeatureSet(featureSet).features.some((feature) => feature.linq('label').includes(`${name}(`));
}

/**
 * The `char` set's code of position `position` of `label` (a LINQ string literal), with the
 * alphabet inline instead of the query's `char_alphabet` column: the feature's own LINQ.
 */
function characterCodeLinq(label: string, position: number): string {
  const feature = getFeatureSet('char').features.find((candidate) => candidate.name === `char_${position}`)!;
  return feature.linq(label).replaceAll(feature.linqConstant!.column, `"${feature.linqConstant!.value}"`);
}

function constantChecks(psl: PslMode, substringRelied: boolean, locateRelied: boolean): ConstantCheck[] {
  const privateAnswer = privateHost;
  const icannAnswer = 'dyndns.org';
  return [
    {
      id: 'rootsuffix_psl',
      assumption: `rootsuffix applies ${psl === 'all' ? 'the PSL private section, as the model was trained' : 'ICANN PSL rules only, as the model was trained'}`,
      expression: `rootsuffix("${privateHost}")`,
      expected: psl === 'all' ? privateAnswer : icannAnswer,
      relied: true,
      fix: (observed) =>
        observed === icannAnswer
          ? 'Devo applies ICANN rules only: retrain with `dga train --psl icann` and register that model'
          : observed === privateAnswer
            ? 'Devo applies the private rules too: retrain with `dga train --psl all` and register that model'
            : 'rootsuffix follows neither PSL reading: the query\'s labels cannot be trusted here; please report it',
    },
    {
      id: 'lower',
      assumption: 'lower() lowercases (the query lowercases the host before rootsuffix)',
      expression: 'lower("WWW.Google.COM")',
      expected: 'www.google.com',
      relied: true,
      fix: () => 'lower() does not behave as documented: labels of upper-case hosts will differ from training; please report it',
    },
    {
      id: 'split_host',
      assumption: 'split(u, "/", 2) is the host:port of a URL (0-based pieces)',
      expression: 'split("http://WWW.Ab.com:8080/x", "/", 2)',
      expected: 'WWW.Ab.com:8080',
      relied: true,
      fix: () => 'split() numbers pieces differently: use --field-kind host on a host field instead of a URL field',
    },
    {
      id: 'contains',
      assumption: 'x -> "s" is true when x contains s (the bigram flags)',
      expression: '"kinin" -> "in"',
      expected: true,
      relied: true,
      fix: () => 'the "->" operator does not test containment: the bigram features will be wrong; train a model on the extended feature set (--features extended)',
    },
    {
      id: 'substring_pairs',
      assumption: `table -> substring(label, i, 2) finds a pair, and the length()-guarded test runs on a label shorter than the pair${substringRelied ? ' (the pair shares)' : ' (informational: this model does not use it)'}`,
      // 10 from position 1 of google ("oo"); the guarded, clamped test of the one-letter label adds 0.
      expression: 'ifthenelse(length("g") > 1, ifthenelse("in|oo" -> substring("g", 0, ifthenelse(length("g") > 1, 2, 1)), 1, 0), 0) + ifthenelse("in|oo" -> substring("google", 1, 2), 10, 0)',
      expected: 10,
      relied: substringRelied,
      fix: () => 'substring() counts from 1 or fails past the end: the pair-share features of the ngram set will be wrong; train on the bigram set instead (--features bigram)',
    },
    {
      id: 'locate_codes',
      assumption: `the char codes of "g-_" at positions 0-3 are 7, 37, 0 (not in the alphabet), 0 (beyond the end): locate counts the same from "a" whatever its base, and the guarded, clamped substring stays in range${locateRelied ? ' (the char codes)' : ' (informational: this model does not use it)'}`,
      // 7 + 100 · 37 + 10,000 · 0 + 1,000,000 · 0.
      expression: [0, 1, 2, 3].map((position) => `${10 ** (2 * position)} * ${characterCodeLinq('"g-_"', position)}`).join(' + '),
      expected: 3707,
      relied: locateRelied,
      fix: () => 'locate() or substring() behave otherwise in this domain: the character codes of the char set will be wrong; train on the bigram set instead (--preset default)',
    },
    {
      id: 'countbyfilter_set',
      assumption: 'countbyfilter(s, chars) counts the characters of s that are in chars',
      expression: 'countbyfilter("google", "og")',
      expected: 4,
      relied: true,
      fix: () => 'countbyfilter has another meaning: the proportion features will be wrong; please report it',
    },
    {
      id: 'entropy_base2',
      assumption: 'shannonentropy is in bits (base 2)',
      expression: 'shannonentropy("google")',
      expected: 1.918296,
      tolerance: 1e-6,
      relied: true,
      fix: () => 'shannonentropy uses another base: the entropy feature will be wrong; please report it',
    },
    {
      id: 'substring_last',
      assumption: 'substring(s, start, length) counts from 0 (the label filter reads the last character)',
      expression: 'substring("abc-", length("abc-") - 1, 1)',
      expected: '-',
      relied: true,
      fix: () => 'substring() counts positions differently: labels ending in "-", which dga classify refuses, may reach the model; please report it',
    },
    {
      id: 'rootsuffix_case',
      assumption: 'rootsuffix lowercases (informational: the query lowercases first)',
      expression: 'rootsuffix("WWW.Google.COM")',
      expected: 'google.com',
      relied: false,
      fix: () => 'none needed: the query applies lower() before rootsuffix',
    },
    {
      id: 'split_trailing_empty',
      assumption: 'split keeps trailing empty pieces (informational: the query does not depend on it)',
      expression: 'split("in", "in", 0)',
      expected: '',
      relied: false,
      fix: () => 'none needed: bigram flags use "->", not split',
    },
    {
      id: 'locate_base',
      assumption: 'locate(s, sub) counts from 0 (informational: the char codes do not depend on it)',
      expression: 'locate("abc", "b")',
      expected: 1,
      relied: false,
      fix: () => 'none needed: the char codes subtract the position of "a"',
    },
    {
      id: 'locate_not_found',
      assumption: 'locate(s, sub) is -1 when s does not contain sub (informational: the char codes test "->" first)',
      expression: 'locate("abc", "z")',
      expected: -1,
      relied: false,
      fix: () => 'none needed: the char codes only call locate on a character the alphabet contains',
    },
    {
      id: 'locate_not_found_null',
      assumption: 'locate(s, sub) is not null when s does not contain sub (informational)',
      expression: 'isnull(locate("abc", "z"))',
      expected: false,
      relied: false,
      fix: () => 'none needed: the char codes only call locate on a character the alphabet contains',
    },
    {
      id: 'contains_case',
      assumption: '"->" is case-sensitive (informational: labels are lowercase)',
      expression: '"KININ" -> "in"',
      expected: false,
      relied: false,
      fix: () => 'none needed: the query lowercases labels',
    },
  ];
}

function matches(observed: unknown, expected: string | number | boolean | null, tolerance = 0): boolean {
  if (typeof expected === 'number') return typeof observed === 'number' && Math.abs(observed - expected) <= tolerance;
  return observed === expected;
}

function describeQueryError(error: unknown): string {
  const record = error as { serverMessage?: unknown; message?: unknown };
  return typeof record.serverMessage === 'string' ? record.serverMessage : error instanceof Error ? error.message : String(error);
}

/** The first row of `linq`, or an error naming the cause and the fix. */
async function firstRow(runQuery: ProbeQueryRunner, linq: string, table: string, what: string, fix: string): Promise<Record<string, unknown>> {
  let row: Record<string, unknown> | undefined;
  try {
    for await (const item of runQuery(linq)) {
      row ??= item;
    }
  } catch (error) {
    if (ExitError.isInstance(error)) throw error;
    throw new ExitError(ExitCode.failure, `Devo rejected the ${what} query: ${describeQueryError(error)}`, { hint: fix, cause: error });
  }
  if (row === undefined) {
    throw new ExitError(ExitCode.failure, `the ${what} query on table ${table} returned no rows: the table has no events in the time range`, {
      hint: 'pass --table with a table that has events, or a wider --from',
    });
  }
  return row;
}

/**
 * Checks, on a real Devo domain, each behaviour the classification query relies on, with small
 * `limit 1` queries of constant expressions on `table`; then scores known labels with the
 * registered model (`mlevalmodel`, features computed by the query's own LINQ) and compares them
 * with local ONNX Runtime. Also reports what `mlevalmodel` does with a null feature (the query
 * never sends one). Throws an {@link ExitError} when a query fails or the table is empty.
 */
export async function runDevoProbe(options: DevoProbeOptions): Promise<ProbeCheck[]> {
  const psl = options.model?.psl ?? options.psl ?? 'all';
  const checks = constantChecks(psl, usesFunction(options.model?.featureSet, 'substring'), usesFunction(options.model?.featureSet, 'locate'));
  const linq = `from ${options.table}\n  select ${checks.map((check) => `${check.expression} as p_${check.id}`).join(',\n    ')}\n  limit 1`;
  const row = await firstRow(options.runQuery, linq, options.table, 'probe', `check that --table ${options.table} exists and the token may read it`);
  const results: ProbeCheck[] = checks.map((check) => {
    const observed = row[`p_${check.id}`] as ProbeCheck['observed'];
    const ok = matches(observed, check.expected, check.tolerance);
    return { id: check.id, assumption: check.assumption, expected: check.expected, observed, ok, relied: check.relied, ...(ok ? {} : { fix: check.fix(observed) }) };
  });
  const model = options.model;
  if (model === undefined) return results;
  const set = getFeatureSet(model.featureSet);
  const call = (features: string[]): string => `at(mlevalmodel("${model.domain}", "${model.name}", [${features.join(', ')}]), 1)`;
  // The string constants some features read (the ngram set's pair tables, the char alphabet), defined before the scores.
  const constants = linqConstantItems(set.features).map((item) => `${item},\n    `).join('');
  const modelFix = `check that ML is enabled in the domain and that "${model.name}" is registered (dga models list); register it with dga register`;
  const scored = await firstRow(
    options.runQuery,
    `from ${options.table}\n  select ${constants}${modelLabels.map((label) => `${call(set.features.map((feature) => `float4(${feature.linq(`"${label}"`)})`))} as p_${label}`).join(',\n    ')}\n  limit 1`,
    options.table,
    'model',
    modelFix,
  );
  const rows = new Float32Array(modelLabels.length * set.size);
  modelLabels.forEach((label, index) => set.compute(label, rows, index * set.size));
  const local = await model.predict(rows);
  modelLabels.forEach((label, index) => {
    const expected = local[index * 2 + 1] as number;
    const observed = scored[`p_${label}`] as ProbeCheck['observed'];
    const ok = matches(observed, expected, 1e-5);
    results.push({
      id: `model_${label}`,
      assumption: `mlevalmodel("${model.name}") on the features of "${label}" equals local ONNX Runtime`,
      expected,
      observed,
      ok,
      relied: true,
      ...(ok ? {} : { fix: `the registered "${model.name}" is not this model, or a feature differs: register this model again (dga register --force) and re-run the probe` }),
    });
  });
  // mlevalmodel on a null feature: the query filters such rows out, so this is informational.
  const nullFeatures = set.features.map((_, index) => (index === 0 ? 'float4(split("a", ".", 1))' : 'float4(0)'));
  let observed: ProbeCheck['observed'];
  try {
    const nullRow = await firstRow(options.runQuery, `from ${options.table}\n  select ${call(nullFeatures)} as p_null\n  limit 1`, options.table, 'null-feature', modelFix);
    observed = nullRow['p_null'] as ProbeCheck['observed'];
  } catch (error) {
    if (!ExitError.isInstance(error) || /no rows/.test(error.message)) throw error;
    observed = 'query error';
  }
  results.push({
    id: 'model_null_feature',
    assumption: 'mlevalmodel gives null for a null feature (informational: the query filters such rows out)',
    expected: null,
    observed,
    ok: observed === null,
    relied: false,
    ...(observed === null ? {} : { fix: 'none needed: the query never sends a null feature' }),
  });
  return results;
}
