import type { TrainingConfig } from './training-config';
import type { RunTrainingOptions, TrainingStage } from './training-types';

/**
 * Registers the exported model when `config.register` is set. The run is already in place: a
 * failed registration is returned with it (`registerError`), not thrown instead of it; an abort
 * is thrown.
 */
export async function registerModel(
  config: TrainingConfig,
  bytes: Uint8Array,
  options: RunTrainingOptions,
  emitStage: (stage: TrainingStage, message: string) => void,
): Promise<{ registered: boolean; registerError?: Error }> {
  if (config.register === undefined) return { registered: false };
  if (options.registrar === undefined) throw new Error('runTraining: config.register needs options.registrar');
  const signal = options.signal;
  emitStage('register', `registering ${config.register.name} in Devo's Model Manager`);
  try {
    await options.registrar.addModel(config.register.name, 'ONNX', bytes, {
      fileName: `${config.register.name}.onnx`,
      ...(config.register.description === undefined ? {} : { description: config.register.description }),
      ...(config.register.force === true ? { force: true } : {}),
      ...(signal === undefined ? {} : { signal }),
    });
    return { registered: true };
  } catch (error) {
    if (signal?.aborted === true) throw error;
    return { registered: false, registerError: error instanceof Error ? error : new Error(String(error)) };
  }
}
