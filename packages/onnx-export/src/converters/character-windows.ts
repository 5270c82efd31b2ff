import type { LayerConverter } from './converter';
import { inputShapeOfRank, integerOption, unsupportedOption } from './converter';

/**
 * `@dga/model`'s `CharacterWindows` layer (`[N, F]` → `[N, windows, window · alphabetSize]` with
 * windows = positions − window + 1): Gather of the code columns into `[N, windows, window]` (each
 * window's codes, first character first), Unsqueeze to `[N, windows, window, 1]`, then the layer's
 * arithmetic one-hot `relu(1 − |code − k|)` for k = 1…alphabetSize (Sub → Abs → Sub → Relu, the
 * same float operations as tfjs), and Reshape to `[N, windows, window · alphabetSize]`. Matched by
 * class name; this package does not import `@dga/model`.
 */
export const convertCharacterWindows: LayerConverter = (context) => {
  const { graph, scope, input } = context;
  const [inputSize] = inputShapeOfRank(context, 2);
  const offset = integerOption(context, 'offset', 0);
  const positions = integerOption(context, 'positions', 1);
  const alphabetSize = integerOption(context, 'alphabetSize', 1);
  const window = integerOption(context, 'window', 1);
  if (offset + positions > inputSize! || window > positions) {
    throw unsupportedOption(context, `offset=${offset}, positions=${positions}, window=${window} on ${inputSize} inputs`, 'codes inside the input and window <= positions');
  }
  const windows = positions - window + 1;
  const columns = Array.from({ length: windows * window }, (_, index) => offset + Math.floor(index / window) + (index % window));
  const codes = graph.node('Gather', `${scope}/Gather`, [input, graph.int64Initializer(`${scope}/columns`, [windows, window], columns)], { axis: { int: 1 } });
  const column = graph.node('Unsqueeze', `${scope}/Unsqueeze`, [codes, graph.int64Initializer(`${scope}/axes`, [1], [3])]);
  const characters = graph.initializer(`${scope}/characters`, [alphabetSize], Float32Array.from({ length: alphabetSize }, (_, index) => index + 1));
  const distance = graph.node('Abs', `${scope}/Abs`, [graph.node('Sub', `${scope}/Sub`, [column, characters])]);
  const closeness = graph.node('Sub', `${scope}/one_minus`, [graph.initializer(`${scope}/one`, [], [1]), distance]);
  const oneHot = graph.node('Relu', `${scope}/Relu`, [closeness]);
  const output = graph.node('Reshape', `${scope}/Reshape`, [oneHot, graph.int64Initializer(`${scope}/shape`, [3], [0, windows, window * alphabetSize])]);
  return { output, outputSize: window * alphabetSize, outputShape: [windows, window * alphabetSize] };
};

/** Converters of this family, keyed by tfjs `className`. */
export const characterWindowsConverters: ReadonlyMap<string, LayerConverter> = new Map([['CharacterWindows', convertCharacterWindows]]);
