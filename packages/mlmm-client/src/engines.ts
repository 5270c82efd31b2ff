/**
 * The engines the Model Manager knows (docs/reference/mlmm-api.md §6). The server decides what is valid, so every API
 * also accepts other strings.
 *
 * @example
 * ```ts
 * import { mlmmEngines } from '@dga/mlmm-client';
 * mlmmEngines.includes('ONNX'); // true
 * ```
 */
export const mlmmEngines: readonly ['ONNX', 'H2O', 'BIGML', 'CATBOOST', 'DT', 'IDA', 'MLSTATS', 'MUA', 'UNICODE', 'WORKFLOWS'] = [
  'ONNX',
  'H2O',
  'BIGML',
  'CATBOOST',
  'DT',
  'IDA',
  'MLSTATS',
  'MUA',
  'UNICODE',
  'WORKFLOWS',
] as const;

/** A known engine name; APIs take `MlmmEngine | (string & {})` so other names still compile. */
export type MlmmEngine = (typeof mlmmEngines)[number];

const extensions: Readonly<Record<MlmmEngine, string>> = {
  ONNX: '.onnx',
  H2O: '.zip',
  BIGML: '.json',
  CATBOOST: '.cmb', // sic: the official client's table says .cmb, not .cbm
  DT: '.json',
  IDA: '.json',
  MLSTATS: '',
  MUA: '.zip',
  UNICODE: '.zip',
  WORKFLOWS: '.json',
};

/**
 * The file extension a downloaded model of `engine` gets (docs/reference/mlmm-api.md §6), looked up case-insensitively;
 * `''` for `MLSTATS` and unknown engines.
 *
 * @example
 * ```ts
 * mlmmEngineExtension('onnx'); // '.onnx'
 * mlmmEngineExtension('CATBOOST'); // '.cmb'
 * ```
 */
export function mlmmEngineExtension(engine: string): string {
  const key = engine.toUpperCase();
  return Object.hasOwn(extensions, key) ? extensions[key as MlmmEngine] : '';
}
