import { activationConverters } from './activation';
import { advancedActivationConverters } from './advanced-activations';
import { batchNormalizationConverters } from './batch-normalization';
import { characterWindowsConverters } from './character-windows';
import type { LayerConverter } from './converter';
import { denseConverters } from './dense';
import { dropColumnsConverters } from './drop-columns';
import { dropoutConverters } from './dropout';
import { lengthEncodingConverters } from './length-encoding';
import { mergeConverters } from './merge';
import { positionMaxConverters } from './position-max';

/** tfjs layer `className` → converter. Add a layer family by adding its module's map here. */
export const converters: ReadonlyMap<string, LayerConverter> = new Map([
  ...denseConverters,
  ...batchNormalizationConverters,
  ...dropoutConverters,
  ...activationConverters,
  ...advancedActivationConverters,
  ...lengthEncodingConverters,
  ...characterWindowsConverters,
  ...dropColumnsConverters,
  ...positionMaxConverters,
  ...mergeConverters,
]);

/**
 * The tfjs layer classes `exportToOnnx` converts, sorted. `InputLayer` of functional models is
 * accepted too (it emits nothing).
 *
 * @example
 * supportedLayers.includes('Dense'); // true
 */
export const supportedLayers: readonly string[] = [...converters.keys()].sort();
