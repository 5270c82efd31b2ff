import type { LoadedModel, ModelResolver } from '../model-runner';
import { DevoSandboxError, LinqQueryError } from '../sandbox-error';
import {
  compileExpression, createSharedSubexpressions, modelKey, suggestion,
  type Aggregate, type Compiled, type CompileContext, type Evaluate, type EvaluationState, type ModelCall, type Row, type Scope,
} from './compile-expression';
import { typeName, type DevoType, type DevoValue, type ScalarType } from './devo-type';
import { resolveLinqSemantics, type LinqSemantics } from './linq-semantics';
import { parseQuery, type Clause, type Expression, type Query } from './parse';
import { createSubstringIndex, type SubstringIndex } from './substring-index';

/** A column of a sandbox table or of a query result. */
export interface ColumnSpec {
  readonly name: string;
  /** Devo type name: `str`, `int4`, `int8`, `float4`, `float8`, `bool`, `timestamp`, `float4[]`, … */
  readonly type: string;
}

/** An in-memory table. Timestamps are epoch milliseconds. */
export interface SandboxTable {
  readonly columns: readonly ColumnSpec[];
  readonly rows: readonly (readonly DevoValue[])[];
}

/** Options of {@link runLinqQuery}. */
export interface RunLinqQueryOptions {
  /** Tables by name, e.g. `{ 'demo.ecommerce.data': table }`. */
  readonly tables: Readonly<Record<string, SandboxTable>>;
  /** Resolves the models of `mlevalmodel`; without it any `mlevalmodel` is a launch error. */
  readonly models?: ModelResolver;
  /** Launch time in epoch ms, the value of `now()`. */
  readonly now: number;
  /** API range start, epoch ms: rows need `from <= eventdate`. */
  readonly from?: number;
  /** API range end, epoch ms (exclusive). */
  readonly to?: number;
  /** Rows evaluated together (one ONNX Runtime call per model per batch). @default 512 */
  readonly batchSize?: number;
  /** How Devo's undocumented behaviours are evaluated; unset keys take {@link DEFAULT_LINQ_SEMANTICS}. @default {} */
  readonly semantics?: Partial<LinqSemantics>;
}

/** Column metadata and the rows, streamed in batches. */
export interface LinqQueryResult {
  readonly columns: ColumnSpec[];
  readonly rows: AsyncIterable<DevoValue[]>;
}

interface OutputColumn {
  name: string;
  slot: number;
  type: DevoType;
}

/** A step of the query: takes the batches of the table (sync) or of the step before (async). */
type Stage = (batches: Batches) => AsyncIterable<Row[]>;
type Batches = AsyncIterable<Row[]> | Iterable<Row[]>;

const scalarTypes = new Set<string>(['str', 'int4', 'int8', 'float4', 'float8', 'bool', 'timestamp', 'duration']);

function columnType(column: ColumnSpec): DevoType {
  if (scalarTypes.has(column.type)) return column.type as ScalarType;
  if (column.type.endsWith('[]') && scalarTypes.has(column.type.slice(0, -2))) {
    return { kind: 'array', element: column.type.slice(0, -2) as ScalarType };
  }
  // ip4, json, …: opaque here, compared as strings.
  return 'str';
}

function collectModelRefs(expression: Expression, found: Extract<Expression, { type: 'call' }>[]): void {
  switch (expression.type) {
    case 'call':
      if (expression.name === 'mlevalmodel') found.push(expression);
      for (const argument of expression.args) collectModelRefs(argument, found);
      break;
    case 'negate':
    case 'not':
      collectModelRefs(expression.operand, found);
      break;
    case 'binary':
      collectModelRefs(expression.left, found);
      collectModelRefs(expression.right, found);
      break;
    case 'compare':
      for (const operand of expression.operands) collectModelRefs(operand, found);
      break;
    case 'in':
      collectModelRefs(expression.value, found);
      collectModelRefs(expression.collection, found);
      break;
    case 'array':
    case 'set':
      for (const element of expression.elements) collectModelRefs(element, found);
      break;
    case 'index':
      collectModelRefs(expression.target, found);
      collectModelRefs(expression.index, found);
      break;
    default:
      break;
  }
}

function clauseExpressions(clause: Clause): Expression[] {
  if (clause.type === 'where') return [...clause.conditions];
  if (clause.type === 'group') return [...clause.keys];
  return clause.items.flatMap((item) => (item.expression === undefined ? [] : [item.expression]));
}

async function resolveModels(query: Query, resolver: ModelResolver | undefined): Promise<Map<string, LoadedModel>> {
  const calls: Extract<Expression, { type: 'call' }>[] = [];
  for (const clause of query.clauses) for (const expression of clauseExpressions(clause)) collectModelRefs(expression, calls);
  const models = new Map<string, LoadedModel>();
  for (const call of calls) {
    const [domain, name] = call.args;
    if (domain?.type !== 'string' || name?.type !== 'string') continue; // the compiler reports it
    const key = modelKey(domain.value, name.value);
    if (models.has(key) || resolver === undefined) continue;
    let model: LoadedModel | undefined;
    try {
      model = await resolver.resolve(domain.value, name.value);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new LinqQueryError('ERR_SANDBOX_MODEL_MISMATCH', `mlevalmodel(): model "${name.value}" cannot be loaded: ${detail}`, name.position, { cause: error });
    }
    if (model !== undefined) models.set(key, model);
  }
  return models;
}

function nullFeatureError(call: ModelCall): DevoSandboxError {
  return new DevoSandboxError(
    'ERR_SANDBOX_MODEL_RUN',
    `Error Processing Query: mlevalmodel() at line ${call.position.line}:${call.position.column}: model "${call.model.name}" got a null feature; filter such rows out before scoring them`,
  );
}

/** The feature rows of a batch for one model call, row-major; `indices` are the rows scored (the others gave a null feature). */
interface ModelInput {
  readonly input: Float32Array;
  readonly indices: readonly number[];
}

/**
 * The features of an array literal `[float4(a), …]`, written straight into the model's input
 * (a float4 element is stored as Float32Array stores it): no array per row.
 */
function inputFromElements(call: ModelCall, elements: readonly Evaluate[], rows: readonly Row[], state: EvaluationState, semantics: LinqSemantics): ModelInput {
  const width = elements.length;
  const input = new Float32Array(rows.length * width);
  const indices: number[] = [];
  for (let index = 0; index < rows.length; index += 1) {
    state.rowIndex = index;
    const row = rows[index] as Row;
    const offset = indices.length * width;
    let complete = true;
    for (let column = 0; column < width; column += 1) {
      const value = (elements[column] as Evaluate)(row, state);
      if (value === null) {
        complete = false;
        break;
      }
      input[offset + column] = value as number;
    }
    if (complete) indices.push(index);
    else if (semantics.modelOnNull === 'error') throw nullFeatureError(call);
  }
  return { input: indices.length === rows.length ? input : input.slice(0, indices.length * width), indices };
}

/** The features of any other float4[] expression, evaluated as arrays and checked for width. */
function inputFromArrays(call: ModelCall, rows: readonly Row[], state: EvaluationState, semantics: LinqSemantics): ModelInput {
  const inputs: (readonly DevoValue[])[] = [];
  const indices: number[] = [];
  let width = call.model.inputSize;
  for (let index = 0; index < rows.length; index += 1) {
    state.rowIndex = index;
    const features = call.features.evaluate(rows[index] as Row, state) as readonly DevoValue[] | null;
    if (features === null || features.some((value) => value === null)) {
      if (semantics.modelOnNull === 'error') throw nullFeatureError(call);
      continue;
    }
    width ??= features.length;
    if (features.length !== width) {
      throw new DevoSandboxError(
        'ERR_SANDBOX_MODEL_MISMATCH',
        `Error Processing Query: mlevalmodel() at line ${call.position.line}:${call.position.column}: model "${call.model.name}" expects ${width} features, a row gave ${features.length}`,
      );
    }
    inputs.push(features);
    indices.push(index);
  }
  const featureCount = width ?? 0;
  const input = new Float32Array(indices.length * featureCount);
  inputs.forEach((features, row) => input.set(features as number[], row * featureCount));
  return { input, indices };
}

/** Evaluates every `mlevalmodel` call of an item over a batch, one ONNX Runtime run per call. */
async function runModelCalls(calls: readonly ModelCall[], rows: readonly Row[], state: EvaluationState, semantics: LinqSemantics): Promise<void> {
  for (const call of calls) {
    const outputs: (readonly number[] | null)[] = new Array<readonly number[] | null>(rows.length).fill(null);
    const elements = call.features.elements;
    const { input, indices } = elements === undefined
      ? inputFromArrays(call, rows, state, semantics)
      : inputFromElements(call, elements, rows, state, semantics);
    if (indices.length > 0) {
      let output: Float32Array;
      try {
        output = await call.model.run(input, indices.length);
      } catch (error) {
        throw new DevoSandboxError('ERR_SANDBOX_MODEL_RUN', `Error Processing Query: model "${call.model.name}" failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      const outputWidth = output.length / indices.length;
      indices.forEach((rowIndex, row) => {
        outputs[rowIndex] = Array.from(output.subarray(row * outputWidth, (row + 1) * outputWidth));
      });
    }
    state.modelOutputs.set(call.id, outputs);
  }
}

interface CompiledItem {
  readonly compiled: Compiled;
  readonly modelCalls: readonly ModelCall[];
}

/** What every item of one query compiles against. */
interface QueryCompilation {
  readonly models: ReadonlyMap<string, LoadedModel>;
  readonly nextId: () => number;
  readonly semantics: LinqSemantics;
  readonly substrings: SubstringIndex;
}

function newContext(scope: Scope, query: QueryCompilation, aggregates?: CompileContext['aggregates']): CompileContext {
  const { models, nextId, semantics, substrings } = query;
  return {
    scope, models, modelCalls: [], nextModelCallId: nextId, semantics, substrings, shared: createSharedSubexpressions(),
    ...(aggregates === undefined ? {} : { aggregates }),
  };
}

function compileItem(expression: Expression, context: CompileContext): CompiledItem {
  const compiled = compileExpression(expression, context);
  return { compiled, modelCalls: [...context.modelCalls] };
}

async function* mapBatches(batches: Batches, transform: (rows: Row[]) => Promise<Row[]>): AsyncIterable<Row[]> {
  for await (const batch of batches) {
    const result = await transform(batch);
    if (result.length > 0) yield result;
  }
}

function aggregateRows(aggregate: Aggregate, members: readonly Row[], state: EvaluationState): DevoValue {
  if (aggregate.argument === undefined) return members.length;
  const values: DevoValue[] = [];
  for (const member of members) {
    const value = aggregate.argument.evaluate(member, state);
    if (value !== null) values.push(value);
  }
  if (aggregate.name === 'count') return values.length;
  if (values.length === 0) return null;
  const numbers = values as number[];
  switch (aggregate.name) {
    case 'sum': {
      const sum = numbers.reduce((total, value) => total + value, 0);
      return aggregate.type === 'float4' ? Math.fround(sum) : sum;
    }
    case 'avg':
      return numbers.reduce((total, value) => total + value, 0) / numbers.length;
    case 'min':
      return values.reduce((best, value) => ((value as number) < (best as number) ? value : best));
    case 'max':
      return values.reduce((best, value) => ((value as number) > (best as number) ? value : best));
  }
}

/** The result rows: the table's rows in the API range, in batches, through every stage, up to `limit`. */
function streamRows(table: SandboxTable, stages: readonly Stage[], columns: readonly OutputColumn[], options: RunLinqQueryOptions, limit: number | undefined, slotCount: number): AsyncIterable<DevoValue[]> {
  const eventdateIndex = table.columns.findIndex((column) => column.name === 'eventdate' && column.type === 'timestamp');
  const { from, to } = options;
  const batchSize = options.batchSize ?? 512;

  function* sourceBatches(): Iterable<Row[]> {
    let batch: Row[] = [];
    for (const row of table.rows) {
      if (eventdateIndex >= 0 && (from !== undefined || to !== undefined)) {
        const time = row[eventdateIndex];
        if (typeof time !== 'number') continue;
        if (from !== undefined && time < from) continue;
        if (to !== undefined && time >= to) continue;
      }
      batch.push(newRow(row, slotCount));
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  async function* rows(): AsyncIterable<DevoValue[]> {
    let batches: Batches = sourceBatches();
    for (const stage of stages) batches = stage(batches);
    let emitted = 0;
    for await (const batch of batches) {
      for (const row of batch) {
        if (limit !== undefined && emitted >= limit) return;
        emitted += 1;
        yield columns.map((column) => row[column.slot] ?? null);
      }
    }
  }

  return rows();
}

/** A row of `size` slots starting with `values` (sized at once: the query's stages fill the other slots). */
function newRow(values: readonly DevoValue[], size: number): Row {
  const row = new Array<DevoValue>(Math.max(size, values.length)).fill(null);
  for (let index = 0; index < values.length; index += 1) row[index] = values[index] as DevoValue;
  return row;
}

/** Select items evaluated row by row together: only the first may call a model (run for the batch first). */
interface SelectSegment {
  readonly modelCalls: readonly ModelCall[];
  readonly evaluates: readonly Evaluate[];
  readonly slots: readonly number[];
}

/**
 * Cuts the items of a select before each item with a model call. Each item reads only its row's
 * earlier slots, so within a segment every item of a row can be computed before the next row
 * (a row's label is then read by every flag in turn), as long as a model call sees every row's
 * earlier items: those are in earlier segments.
 */
function selectSegments(items: readonly { item: CompiledItem; slot: number }[]): SelectSegment[] {
  const segments: { modelCalls: readonly ModelCall[]; evaluates: Evaluate[]; slots: number[] }[] = [];
  for (const { item, slot } of items) {
    let segment = segments.at(-1);
    if (segment === undefined || item.modelCalls.length > 0) segments.push((segment = { modelCalls: item.modelCalls, evaluates: [], slots: [] }));
    segment.evaluates.push(item.compiled.evaluate);
    segment.slots.push(slot);
  }
  return segments;
}

interface GroupStageOptions {
  readonly keys: readonly Evaluate[];
  /** Bucket width of `every`, ms. */
  readonly every: number | undefined;
  readonly eventdateSlot: number | undefined;
  readonly aggregates: readonly Aggregate[];
  readonly state: EvaluationState;
  readonly batchSize: number;
  /** Slots of a row of the query (known once the query is compiled). */
  readonly slotCount: () => number;
}

interface Group {
  readonly key: Row;
  readonly members: Row[];
}

/**
 * Groups the rows by their keys (and `every` bucket), in order of first appearance; then yields
 * one row per group with its aggregates. Groups are told apart by the JSON of their keys, except
 * that a lone str key is its own id (the default query's `group by label every -`).
 */
async function* groupStage(batches: Batches, options: GroupStageOptions): AsyncIterable<Row[]> {
  const { keys, every, eventdateSlot, aggregates, state, batchSize, slotCount } = options;
  const [onlyKey] = keys;
  const single = keys.length === 1 && every === undefined ? onlyKey : undefined;
  const byText = new Map<string, Group>();
  const byJson = new Map<string, Group>();
  const groups: Group[] = [];
  const add = (map: Map<string, Group>, id: string, key: Row, row: Row): void => {
    const group = { key, members: [row] };
    map.set(id, group);
    groups.push(group);
  };
  for await (const rows of batches) {
    for (let index = 0; index < rows.length; index += 1) {
      state.rowIndex = index;
      const row = rows[index] as Row;
      if (single !== undefined) {
        const value = single(row, state);
        if (typeof value === 'string') {
          const found = byText.get(value);
          if (found === undefined) add(byText, value, [value], row);
          else found.members.push(row);
          continue;
        }
      }
      const key: Row = [];
      if (every !== undefined) {
        const time = row[eventdateSlot as number] as number | null;
        key.push(time === null ? null : Math.floor(time / every) * every);
      }
      for (const evaluate of keys) key.push(evaluate(row, state));
      const id = JSON.stringify(key);
      const found = byJson.get(id);
      if (found === undefined) add(byJson, id, key, row);
      else found.members.push(row);
    }
  }
  // The groups go on in batches, as the table's rows do: later stages (mlevalmodel) then
  // work on batchSize rows at a time, not on every group at once.
  let result: Row[] = [];
  for (const { key, members } of groups) {
    const row = newRow(key, slotCount());
    for (const aggregate of aggregates) row[aggregate.slot] = aggregateRows(aggregate, members, state);
    result.push(row);
    if (result.length >= batchSize) {
      yield result;
      result = [];
    }
  }
  if (result.length > 0) yield result;
}

/**
 * Parses, type-checks and runs a LINQ query of the subset over in-memory tables, with
 * `mlevalmodel` evaluated batch-wise through a {@link ModelResolver}. Launch errors (syntax,
 * unknown names, types, arity, missing or mismatched models) reject the returned promise with
 * a {@link LinqQueryError}; rows are then streamed.
 *
 * @example
 * const result = await runLinqQuery(
 *   'from demo.ecommerce.data select split(referralUri, "/", 2) as domain, length(domain) as n',
 *   { tables: { 'demo.ecommerce.data': table }, now: Date.UTC(2026, 0, 1) },
 * );
 * for await (const row of result.rows) console.log(row);
 */
export async function runLinqQuery(source: string, options: RunLinqQueryOptions): Promise<LinqQueryResult> {
  const query = parseQuery(source);
  const table = Object.hasOwn(options.tables, query.table) ? options.tables[query.table] : undefined;
  if (table === undefined) {
    const names = Object.keys(options.tables);
    throw new LinqQueryError(
      'ERR_SANDBOX_LINQ_UNKNOWN_TABLE',
      `table "${query.table}" not found${suggestion(query.table, names)}; the sandbox has ${names.length === 0 ? 'no tables' : names.join(', ')}`,
      query.tablePosition,
    );
  }
  const models = await resolveModels(query, options.models);
  const semantics = resolveLinqSemantics(options.semantics);
  const batchSize = options.batchSize ?? 512;
  let modelCallId = 0;
  const compilation: QueryCompilation = {
    models, semantics, nextId: () => (modelCallId += 1), substrings: createSubstringIndex(semantics.containsCase),
  };

  let scope: Scope = new Map();
  let slotCount = 0;
  table.columns.forEach((column, index) => scope.set(column.name, { slot: index, type: columnType(column) }));
  slotCount = table.columns.length;
  let output: OutputColumn[] | undefined;
  const stages: Stage[] = [];
  const state: EvaluationState = { now: options.now, rowIndex: 0, modelOutputs: new Map() };
  let pendingAggregates: { scope: Scope; list: Aggregate[]; allocateSlot: () => number } | undefined;

  for (const clause of query.clauses) {
    const aggregates = pendingAggregates;
    pendingAggregates = undefined;
    if (clause.type === 'where') {
      const conditions = clause.conditions.map((condition) => {
        const item = compileItem(condition, newContext(scope, compilation));
        if (item.compiled.type !== 'bool' && item.compiled.type !== 'null') {
          throw new LinqQueryError('ERR_SANDBOX_LINQ_TYPE', `a where condition must be bool, got ${typeName(item.compiled.type)}; compare it, e.g. x > 0`, condition.position);
        }
        return item;
      });
      stages.push((batches) =>
        mapBatches(batches, async (rows) => {
          let kept = rows;
          for (const condition of conditions) {
            await runModelCalls(condition.modelCalls, kept, state, semantics);
            kept = kept.filter((row, index) => {
              state.rowIndex = index;
              return condition.compiled.evaluate(row, state) === true;
            });
          }
          return kept;
        }),
      );
    } else if (clause.type === 'select') {
      output ??= [];
      const items: { item: CompiledItem; slot: number }[] = [];
      for (const selectItem of clause.items) {
        if (selectItem.expression === undefined) {
          for (const column of table.columns) {
            const entry = scope.get(column.name);
            if (entry !== undefined && !output.some((existing) => existing.name === column.name)) {
              output.push({ name: column.name, slot: entry.slot, type: entry.type });
            }
          }
          continue;
        }
        const item = compileItem(selectItem.expression, newContext(scope, compilation, aggregates));
        const name = selectItem.alias ?? (selectItem.expression.type === 'field' ? selectItem.expression.name : selectItem.text);
        const slot = slotCount;
        slotCount += 1;
        scope = new Map(scope).set(name, { slot, type: item.compiled.type });
        const existing = output.find((column) => column.name === name);
        if (existing === undefined) output.push({ name, slot, type: item.compiled.type });
        else Object.assign(existing, { slot, type: item.compiled.type });
        items.push({ item, slot });
      }
      const segments = selectSegments(items);
      stages.push((batches) =>
        mapBatches(batches, async (rows) => {
          for (const { modelCalls, evaluates, slots } of segments) {
            await runModelCalls(modelCalls, rows, state, semantics);
            for (let index = 0; index < rows.length; index += 1) {
              state.rowIndex = index;
              const row = rows[index] as Row;
              for (let item = 0; item < slots.length; item += 1) row[slots[item] as number] = (evaluates[item] as Evaluate)(row, state);
            }
          }
          return rows;
        }),
      );
    } else {
      const keys = clause.keys.map((key, index) => {
        const item = compileItem(key, newContext(scope, compilation));
        if (item.modelCalls.length > 0) {
          throw new LinqQueryError('ERR_SANDBOX_LINQ_TYPE', 'the sandbox cannot group by an mlevalmodel() result: compute it in a select first', key.position);
        }
        return { item, name: key.type === 'field' || key.type === 'call' ? key.name : `key${index + 1}` };
      });
      const eventdate = scope.get('eventdate');
      if (clause.every !== undefined && eventdate?.type !== 'timestamp') {
        throw new LinqQueryError('ERR_SANDBOX_LINQ_UNKNOWN_FIELD', '"group every" needs a timestamp field eventdate', clause.position);
      }
      const previousScope = scope;
      const groupScope: Scope = new Map();
      const groupOutput: OutputColumn[] = [];
      let groupSlots = 0;
      if (clause.every !== undefined) {
        groupScope.set('eventdate', { slot: 0, type: 'timestamp' });
        groupOutput.push({ name: 'eventdate', slot: 0, type: 'timestamp' });
        groupSlots = 1;
      }
      for (const key of keys) {
        groupScope.set(key.name, { slot: groupSlots, type: key.item.compiled.type });
        groupOutput.push({ name: key.name, slot: groupSlots, type: key.item.compiled.type });
        groupSlots += 1;
      }
      const aggregateList: Aggregate[] = [];
      pendingAggregates = { scope: previousScope, list: aggregateList, allocateSlot: () => (slotCount += 1) - 1 };
      const every = clause.every;
      const eventdateSlot = eventdate?.slot;
      stages.push((batches) => groupStage(batches, { keys: keys.map(({ item }) => item.compiled.evaluate), every, eventdateSlot, aggregates: aggregateList, state, batchSize, slotCount: () => slotCount }));
      scope = groupScope;
      slotCount = Math.max(slotCount, groupSlots);
      output = groupOutput;
    }
  }

  const columns = output ?? table.columns.map((column, index) => ({ name: column.name, slot: index, type: columnType(column) }));
  return { columns: columns.map((column) => ({ name: column.name, type: typeName(column.type) })), rows: streamRows(table, stages, columns, options, query.limit, slotCount) };
}
