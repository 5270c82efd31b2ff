// The worker thread of `dga classify`'s pipeline (see classify-workers.ts): it scores the chunks of
// input the main thread sends, one at a time and in order, and answers each with its rows as bytes.
import { parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_CLASSIFY_BATCH_SIZE } from './classify-batch';
import { createChunkScorer } from './classify-output';
import { serializeWorkerError, type ClassifyWorkerData, type FromClassifyWorker, type ToClassifyWorker } from './classify-worker-protocol';

const data = workerData as ClassifyWorkerData;
const port = parentPort!;

async function start(): Promise<void> {
  const { createOnnxClassifier } = await import('@dga/onnx-export');
  const classifier = await createOnnxClassifier(data.model, {
    batchSize: data.batch.batchSize ?? DEFAULT_CLASSIFY_BATCH_SIZE,
    name: data.modelName,
    intraOpNumThreads: data.intraOpNumThreads,
  });
  const score = createChunkScorer(classifier, data.batch, data.format);
  // One chunk at a time: the batch's buffers are reused.
  let queue = Promise.resolve();
  let closing = false;
  port.on('message', (message: ToClassifyWorker) => {
    if (message.type === 'close') {
      // After the chunk under way (the others are dropped): ending the thread while ONNX Runtime
      // runs would abort the process.
      closing = true;
      queue = queue.then(async () => {
        await classifier.dispose();
        port.close();
      });
      return;
    }
    queue = queue.then(async () => {
      if (closing) return;
      let reply: FromClassifyWorker;
      const transfer: ArrayBuffer[] = [];
      try {
        const rendered = await score(message.chunk);
        // The rows go as bytes of their own, moved rather than copied; the main thread writes them as they are.
        transfer.push(rendered.text.buffer as ArrayBuffer);
        reply = { type: 'scored', id: message.id, ...rendered };
      } catch (error) {
        reply = { type: 'failed', id: message.id, error: serializeWorkerError(error) };
      }
      port.postMessage(reply, transfer);
    });
  });
  port.postMessage({ type: 'ready' } satisfies FromClassifyWorker);
}

start().catch((error: unknown) => port.postMessage({ type: 'failed', id: -1, error: serializeWorkerError(error) } satisfies FromClassifyWorker));
