import { describe, expect, it } from 'vitest';
import { supportedLayers } from './registry';

describe('supportedLayers', () => {
  it('lists every layer class the model presets use, sorted', () => {
    for (const name of ['Dense', 'BatchNormalization', 'Dropout', 'Activation', 'LeakyReLU', 'ReLU', 'Softmax', 'LengthEncoding']) {
      expect(supportedLayers).toContain(name);
    }
    expect([...supportedLayers]).toEqual([...supportedLayers].sort());
  });
});
