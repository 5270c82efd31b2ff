// The worker thread of `dga classify`'s pipeline (see classify-workers.ts): it scores the chunks of
// inputs the main thread sends, one at a time and in order, and answers each with its text.
import { parentPort, workerData } from 'node:worker_threads';
import { createChunkScorer } from './classify-output';
import { serializeWorkerError, type ClassifyWorkerData, type FromClassifyWorker, type ToClassifyWorker } from './classify-worker-protocol';

const data = workerData as ClassifyWorkerData;
const port = parentPort!;
const encoder = new TextEncoder();

async function start(): Promise<void> {
  const { createOnnxClassifier } = await import('@dga/onnx-export');
  const classifier = await createOnnxClassifier(data.model, {
    batchSize: data.batch.batchSize ?? 4096,
    name: data.modelName,
    intraOpNumThreads: data.intraOpNumThreads,
  });
  const score = createChunkScorer(classifier, data.batch, data.format);
  // One chunk at a time: the batch's buffers are reused.
  let queue = Promise.resolve();
  port.on('message', (message: ToClassifyWorker) => {
    queue = queue.then(async () => {
      let reply: FromClassifyWorker;
      const transfer: ArrayBuffer[] = [];
      try {
        const rendered = await score(message.inputs);
        // The text goes as bytes, moved rather than copied, and the main thread writes them as is.
        const bytes = encoder.encode(rendered.text);
        transfer.push(bytes.buffer);
        reply = { type: 'scored', id: message.id, ...rendered, text: bytes };
      } catch (error) {
        reply = { type: 'failed', id: message.id, error: serializeWorkerError(error) };
      }
      port.postMessage(reply, transfer);
    });
  });
  port.postMessage({ type: 'ready' } satisfies FromClassifyWorker);
}

start().catch((error: unknown) => port.postMessage({ type: 'failed', id: -1, error: serializeWorkerError(error) } satisfies FromClassifyWorker));
