import { errorModelViolations } from '@dga/test-support';
import { describe, expect, it, vi } from 'vitest';
import { OnnxExportError, OnnxParityError, isOnnxExportError } from './onnx-export-error';

describe('OnnxExportError', () => {
  it('gives every error class a string code and an isInstance that works across package copies', async () => {
    const parity = { rows: 4, maxAbsDiff: 0.5, maxScaledDiff: 0.5, tolerance: 1e-4, row: 1, column: 0 };
    const cases = [
      [OnnxExportError, new OnnxExportError('ERR_ONNX_UNSUPPORTED_LAYER', 'no converter for Conv2D', { layerName: 'conv', layerClassName: 'Conv2D' })],
      [OnnxParityError, new OnnxParityError('ONNX Runtime and tfjs disagree', parity)],
    ] as const;
    vi.resetModules();
    expect(errorModelViolations(cases, await import('./onnx-export-error'))).toEqual([]);
    expect(isOnnxExportError(cases[1][1])).toBe(true);
  });
});
