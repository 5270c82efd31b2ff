import { describe, expect, it } from 'vitest';
import { selectTfjsBackend, tfjsBackendPreference } from './tfjs-backend';

describe('selectTfjsBackend', () => {
  it('falls back to the pure-JS cpu backend when tfjs-node cannot load, saying why', async () => {
    const choice = await selectTfjsBackend({
      importNode: () => Promise.reject(new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: /x/y')),
    });
    expect(choice.backend).toBe('cpu');
    expect(choice.package).toBe('@tensorflow/tfjs');
    expect(choice.reason).toBe(
      'pure-JavaScript cpu backend, because @tensorflow/tfjs-node could not load its native addon (The Node.js native addon module (tfjs_binding.node) is missing)',
    );
    expect(choice.tf.getBackend()).toBe('cpu');
  });

  it('says when tfjs-node is not installed at all', async () => {
    const choice = await selectTfjsBackend({
      importNode: () => Promise.reject(new Error("Cannot find package '@tensorflow/tfjs-node' imported from /x")),
    });
    expect(choice.reason).toBe('pure-JavaScript cpu backend, because @tensorflow/tfjs-node is not installed');
  });

  it('skips tfjs-node with prefer cpu, and fails clearly with prefer node when it cannot load', async () => {
    let imported = false;
    const cpu = await selectTfjsBackend({
      prefer: 'cpu',
      importNode: () => {
        imported = true;
        return Promise.resolve();
      },
    });
    expect(imported).toBe(false);
    expect(cpu.reason).toMatch(/DGA_TFJS_BACKEND=cpu/);
    await expect(
      selectTfjsBackend({ prefer: 'node', importNode: async () => Promise.reject(new Error('no addon')) }),
    ).rejects.toThrow(/DGA_TFJS_BACKEND=node, but .*no addon.*DGA_TFJS_BACKEND=cpu/);
  });

  it('reads DGA_TFJS_BACKEND values', () => {
    expect(tfjsBackendPreference('cpu')).toBe('cpu');
    expect(tfjsBackendPreference('gpu')).toBeUndefined();
    expect(tfjsBackendPreference(undefined)).toBeUndefined();
  });
});
