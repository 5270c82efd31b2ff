import type { LayerConverter } from './converter';

/** Dropout and noise layers are the identity at inference time: no node at all. */
export const convertInferenceIdentity: LayerConverter = (context) => ({ output: context.input, outputSize: context.inputSize });

/** Converters of this family, keyed by tfjs `className`. */
export const dropoutConverters: ReadonlyMap<string, LayerConverter> = new Map([
  ['Dropout', convertInferenceIdentity],
  ['AlphaDropout', convertInferenceIdentity],
  ['GaussianDropout', convertInferenceIdentity],
  ['GaussianNoise', convertInferenceIdentity],
]);
