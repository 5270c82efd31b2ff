import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PositionMax } from './position-max-layer';

describe('PositionMax', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives the maximum over positions', () => {
    const x = tf.tensor3d([[[1, 5], [3, 2]]]);
    expect((new PositionMax().apply(x) as tf.Tensor).arraySync()).toEqual([[3, 5]]);
    expect(new PositionMax().computeOutputShape([null, 30, 64])).toEqual([null, 64]);
  });

  it('trains with its own gradient: the same as tfjs\'s gradient of max, ties included', () => {
    const x = tf.tensor3d([[[1, 5], [3, 5], [2, 0]], [[4, -1], [4, -2], [0, -3]]]);
    const weights = tf.tensor2d([[0.5, -2], [1, 3]]);
    const layer = new PositionMax();
    const viaLayer = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, weights)))(x);
    const viaMax = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.max(input, 1), weights)))(x);
    expect(viaLayer.arraySync()).toEqual(viaMax.arraySync());
    // Written out: the maximum's positions get the weight, ties each get it.
    expect(tf.add(viaLayer, 0).arraySync()).toEqual([[[0, -2], [0.5, -2], [0, 0]], [[1, 3], [1, 0], [0, 0]]]);
  });

  it('survives serialization (the saved model names its class)', () => {
    const layer = new PositionMax({ name: 'character_max' });
    expect(layer.getConfig()['name']).toBe('character_max');
    expect(tf.serialization.SerializationMap.getMap().classNameMap['PositionMax']).toBeDefined();
  });
});
