import { describe, expect, it } from 'vitest';
import { selectTfjsBackend, SMALL_BATCH, tfjsBackendPreference } from './tfjs-backend';

describe('selectTfjsBackend', () => {
  const missingAddon = (): Promise<never> =>
    Promise.reject(new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: /x/y'));

  it('falls back to the real WebAssembly backend when tfjs-node cannot load, saying why', async () => {
    const choice = await selectTfjsBackend({ importNode: missingAddon });
    expect(choice.backend).toBe('wasm');
    expect(choice.package).toBe('@tensorflow/tfjs-backend-wasm');
    expect(choice.reason).toBe(
      'WebAssembly backend (SIMD, 1 thread), because @tensorflow/tfjs-node could not load its native addon (The Node.js native addon module (tfjs_binding.node) is missing)',
    );
    expect(choice.tf.getBackend()).toBe('wasm');
    // It computes: a matMul on the wasm kernels equals the hand-computed product.
    const product = choice.tf.tidy(() => choice.tf.matMul(choice.tf.tensor2d([[1, 2], [3, 4]]), choice.tf.tensor2d([[5], [6]])).dataSync());
    expect([...product]).toEqual([17, 39]);
  });

  it('picks cpu over wasm for small batches with auto, but not when wasm is asked for', async () => {
    let wasmImported = false;
    const small = await selectTfjsBackend({ importNode: missingAddon, importWasm: () => ((wasmImported = true), Promise.resolve()), batchSize: 7 });
    expect(small.backend).toBe('cpu');
    expect(wasmImported).toBe(false);
    expect(small.reason).toBe(
      'pure-JavaScript cpu backend, because @tensorflow/tfjs-node could not load its native addon (The Node.js native addon module (tfjs_binding.node) is missing), ' +
        'and batch 7 is small: per-op overhead dominates, where the cpu backend is faster than wasm',
    );
    expect((await selectTfjsBackend({ importNode: missingAddon, batchSize: SMALL_BATCH })).backend).toBe('wasm');
    expect((await selectTfjsBackend({ prefer: 'wasm', batchSize: 7 })).backend).toBe('wasm');
  });

  it('falls back to the pure-JS cpu backend when neither loads, naming both reasons', async () => {
    const choice = await selectTfjsBackend({
      importNode: () => Promise.reject(new Error("Cannot find package '@tensorflow/tfjs-node' imported from /x")),
      importWasm: () => Promise.reject(new Error('WebAssembly.instantiate(): out of memory\nstack')),
    });
    expect(choice.backend).toBe('cpu');
    expect(choice.package).toBe('@tensorflow/tfjs');
    expect(choice.reason).toBe(
      'pure-JavaScript cpu backend, because @tensorflow/tfjs-node is not installed and @tensorflow/tfjs-backend-wasm could not load (WebAssembly.instantiate(): out of memory)',
    );
    expect(choice.tf.getBackend()).toBe('cpu');
  });

  it('skips tfjs-node with prefer cpu, and fails clearly with prefer node when it cannot load', async () => {
    let imported = false;
    const cpu = await selectTfjsBackend({
      prefer: 'cpu',
      preferenceName: 'DGA_TFJS_BACKEND',
      importNode: () => {
        imported = true;
        return Promise.resolve();
      },
    });
    expect(imported).toBe(false);
    expect(cpu.reason).toMatch(/DGA_TFJS_BACKEND=cpu/);
    await expect(
      selectTfjsBackend({ prefer: 'node', preferenceName: 'DGA_TFJS_BACKEND', importNode: async () => Promise.reject(new Error('no addon')) }),
    ).rejects.toThrow(/DGA_TFJS_BACKEND=node, but .*no addon.*DGA_TFJS_BACKEND=wasm or cpu/);
    await expect(
      selectTfjsBackend({ prefer: 'wasm', preferenceName: 'DGA_TFJS_BACKEND', importWasm: async () => Promise.reject(new Error('no wasm')) }),
    ).rejects.toThrow(/DGA_TFJS_BACKEND=wasm, but .*no wasm.*DGA_TFJS_BACKEND=cpu/);
    let nodeImported = false;
    const wasm = await selectTfjsBackend({ prefer: 'wasm', preferenceName: 'DGA_TFJS_BACKEND', importNode: () => ((nodeImported = true), Promise.resolve()) });
    expect([wasm.backend, wasm.reason, nodeImported]).toEqual(['wasm', 'the WebAssembly backend was asked for (DGA_TFJS_BACKEND=wasm)', false]);
  });

  it('names no app setting unless the caller passes its name', async () => {
    const failing = selectTfjsBackend({ prefer: 'node', importNode: async () => Promise.reject(new Error('no addon')) });
    await expect(failing).rejects.toThrow(/^prefer=node, but .*no addon.*use prefer=wasm or cpu$/);
    const cpu = await selectTfjsBackend({ prefer: 'cpu' });
    expect(cpu.reason).toBe('the pure-JavaScript cpu backend was asked for (prefer=cpu)');
  });

  it('parses backend preferences', () => {
    expect(tfjsBackendPreference('cpu')).toBe('cpu');
    expect(tfjsBackendPreference('wasm')).toBe('wasm');
    expect(tfjsBackendPreference('gpu')).toBeUndefined();
    expect(tfjsBackendPreference(undefined)).toBeUndefined();
  });
});
