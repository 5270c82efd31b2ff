// The worker thread of `dga classify`'s pipeline (see classify-workers.ts). It loads its modules as
// soon as it starts (the main thread may start it before it has read the model), then takes the
// model with `init`, scores the chunks the main thread sends, one at a time and in order, and
// answers each with its rows as bytes.
import { parentPort } from 'node:worker_threads';
import { DEFAULT_CLASSIFY_BATCH_SIZE } from './classify-batch';
import { createChunkScorer, type RenderedRecords } from './classify-output';
import { serializeWorkerError, type ClassifyWorkerData, type FromClassifyWorker, type ToClassifyWorker } from './classify-worker-protocol';
import type { InputChunk } from './input-lines';

const port = parentPort!;
const onnx = import('@dga/onnx-export');
// Settled here as well, so a failed import is reported by `init`, never as unhandled.
onnx.catch(() => undefined);

interface Session {
  score(chunk: InputChunk): Promise<RenderedRecords>;
  dispose(): Promise<void>;
}

async function open(data: ClassifyWorkerData): Promise<Session> {
  const { createOnnxClassifier } = await onnx;
  const classifier = await createOnnxClassifier(data.model, {
    batchSize: data.batch.batchSize ?? DEFAULT_CLASSIFY_BATCH_SIZE,
    name: data.modelName,
    intraOpNumThreads: data.intraOpNumThreads,
  });
  return { score: createChunkScorer(classifier, data.batch, data.format), dispose: () => classifier.dispose() };
}

// One message at a time: the batch's buffers are reused.
let queue: Promise<unknown> = Promise.resolve();
let session: Promise<Session> | undefined;
let closing = false;
port.on('message', (message: ToClassifyWorker) => {
  if (message.type === 'init') {
    session = open(message.data);
    queue = session.then(
      () => port.postMessage({ type: 'ready' } satisfies FromClassifyWorker),
      (error: unknown) => port.postMessage({ type: 'failed', id: -1, error: serializeWorkerError(error) } satisfies FromClassifyWorker),
    );
    return;
  }
  if (message.type === 'close') {
    // After the chunk under way (the others are dropped): ending the thread while ONNX Runtime
    // runs would abort the process. A worker never given a model just ends.
    closing = true;
    queue = queue.then(async () => {
      await (await session?.catch(() => undefined))?.dispose();
      port.close();
    });
    return;
  }
  queue = queue.then(async () => {
    if (closing || session === undefined) return;
    let reply: FromClassifyWorker;
    const transfer: ArrayBuffer[] = [];
    try {
      const rendered = await (await session).score(message.chunk);
      // The rows go as bytes of their own, moved rather than copied; the main thread writes them as they are.
      transfer.push(rendered.text.buffer as ArrayBuffer);
      reply = { type: 'scored', id: message.id, ...rendered };
    } catch (error) {
      reply = { type: 'failed', id: message.id, error: serializeWorkerError(error) };
    }
    port.postMessage(reply, transfer);
  });
});
