import * as tf from '@tensorflow/tfjs';
import { ModelError } from '../errors';

/** tfjs's layer options (`inputShape`, `name`…). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/**
 * Base of the package's weightless, single-input layers (`LengthEncoding`, `CharacterWindows`,
 * `DropColumns`, `PositionMax`): never trainable, with helpers that unwrap tfjs's
 * tensor-or-list arguments.
 */
export abstract class WeightlessLayer extends tf.layers.Layer {
  /**
   * @param integers - options that must be whole numbers, each with its minimum.
   * @throws ModelError `ERR_MODEL_INVALID_OPTION` naming the layer class, the option and the value.
   */
  constructor(className: string, args: LayerArgs, integers: Readonly<Record<string, readonly [value: number, minimum: number]>> = {}) {
    super({ ...args, trainable: false });
    for (const [key, [value, minimum]] of Object.entries(integers)) {
      if (!Number.isInteger(value) || value < minimum) {
        throw new ModelError('ERR_MODEL_INVALID_OPTION', `${className}${args.name === undefined ? '' : ` "${args.name}"`}: ${key} must be an integer >= ${minimum}, got ${value}.`);
      }
    }
  }
}

/** `[N, width + added]` for a single `[N, width]` input (an unknown width stays unknown). */
export function widenedShape(inputShape: tf.Shape | tf.Shape[], added: number): tf.Shape {
  const [batch, width] = singleShape(inputShape);
  return [batch ?? null, width === null || width === undefined ? null : width + added];
}

/** The shape of a single-input layer's input. */
export function singleShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
  return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
}

/** The tensor of a single-input layer's call. */
export function singleInput<T extends tf.Tensor>(inputs: tf.Tensor | tf.Tensor[]): T {
  return (Array.isArray(inputs) ? inputs[0] : inputs) as T;
}
