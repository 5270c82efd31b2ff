import { describe, expect, it } from 'vitest';
import { selectTfjsBackend } from './tfjs-backend';

// A file of its own: the WebAssembly module starts once per process, and only its first start
// installs the handlers.
describe('selectTfjsBackend with the WebAssembly backend', () => {
  it('leaves the process uncaughtException and unhandledRejection handlers as they were', async () => {
    const exceptions = process.listeners('uncaughtException');
    const rejections = process.listeners('unhandledRejection');
    const choice = await selectTfjsBackend({ prefer: 'wasm' });
    expect(choice.backend).toBe('wasm');
    // Emscripten's handlers rethrow: an unhandled rejection would end the process with exit code 7
    // and print the minified source of tfjs-backend-wasm.
    expect(process.listeners('uncaughtException')).toEqual(exceptions);
    expect(process.listeners('unhandledRejection')).toEqual(rejections);
  }, 60_000);
});
