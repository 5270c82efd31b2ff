import { writeFileSync } from 'node:fs';
import { readDataset } from '@dga/dataset';
import { streamTrainingExamples } from '../src/index';
import { createSplitter } from '../src/internal/split';
import { deriveSeed } from '../src/internal/rng';
const fs = process.argv[2] as 'extended' | 'tutorial';
const splitter = createSplitter(deriveSeed(42, 'split'), 0.2, 0.1);
const X: number[] = []; const y: number[] = []; const s: number[] = [];
for await (const e of streamTrainingExamples(readDataset('/work/shared/data/dga-training.csv'), fs)) {
  X.push(...e.features); y.push(e.label); const a = splitter.assign(e); s.push(a === 'train' ? 0 : a === 'validation' ? 1 : 2);
}
writeFileSync(`/tmp/m3/${fs}.X.f32`, Buffer.from(Float32Array.from(X).buffer));
writeFileSync(`/tmp/m3/${fs}.y.u8`, Buffer.from(Uint8Array.from(y)));
writeFileSync(`/tmp/m3/${fs}.s.u8`, Buffer.from(Uint8Array.from(s)));
console.log(y.length);
