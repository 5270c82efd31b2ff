import { activationConverters } from './activation';
import { advancedActivationConverters } from './advanced-activations';
import { batchNormalizationConverters } from './batch-normalization';
import type { LayerConverter } from './converter';
import { denseConverters } from './dense';
import { dropoutConverters } from './dropout';
import { lengthEncodingConverters } from './length-encoding';

/** tfjs layer `className` → converter. Add a layer family by adding its module's map here. */
export const converters: ReadonlyMap<string, LayerConverter> = new Map([
  ...denseConverters,
  ...batchNormalizationConverters,
  ...dropoutConverters,
  ...activationConverters,
  ...advancedActivationConverters,
  ...lengthEncodingConverters,
]);

/**
 * The tfjs layer classes `exportToOnnx` converts, sorted. `InputLayer` of functional models is
 * accepted too (it emits nothing).
 *
 * @example
 * supportedLayers.includes('Dense'); // true
 */
export const supportedLayers: readonly string[] = [...converters.keys()].sort();
