/**
 * A model that `mlevalmodel` can run: one float input `[N, inputSize]`, one float output
 * `[N, outputSize]`, as Devo expects of ONNX models.
 */
export interface LoadedModel {
  readonly name: string;
  /** Features per row, or `undefined` when the graph leaves it symbolic (checked per batch). */
  readonly inputSize: number | undefined;
  readonly outputSize: number | undefined;
  /** Runs `count` rows (row-major `count × inputSize`); returns `count × outputSize`. */
  run(rows: Float32Array, count: number): Promise<Float32Array>;
}

/** Finds the model `mlevalmodel(domain, name, …)` refers to; `undefined` when absent. */
export interface ModelResolver {
  resolve(domain: string, name: string): Promise<LoadedModel | undefined>;
}
