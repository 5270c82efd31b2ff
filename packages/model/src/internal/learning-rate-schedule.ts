import type { PresetSpec } from '../presets';

/**
 * The learning rate of every optimizer step: constant, or a linear warm-up to `learningRate`
 * followed by a cosine decay to `finalFraction` of it over the `totalSteps` planned steps.
 */
export function createLearningRateSchedule(schedule: PresetSpec['schedule'], learningRate: number, totalSteps: number): (globalStep: number) => number {
  if (schedule.kind === 'constant') return () => learningRate;
  // Small datasets have few steps: warm up over at most a tenth of them.
  const warmupSteps = Math.min(schedule.warmupSteps, Math.floor(totalSteps / 10));
  return (globalStep) => {
    if (globalStep < warmupSteps) return (learningRate * (globalStep + 1)) / warmupSteps;
    const progress = Math.min(1, (globalStep - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    return learningRate * (schedule.finalFraction + ((1 - schedule.finalFraction) * (1 + Math.cos(Math.PI * progress))) / 2);
  };
}
