/** Worker side of the batch loader: opens the dataset once, then builds requested batches. */
import { parentPort, workerData } from 'node:worker_threads';
import { collate } from './batch.js';
import { batchItems, type DatasetSpec, openDataset } from './loader.js';

interface Init {
  options: DatasetSpec;
  batchSize: number;
  slice?: { start: number; count: number };
}

const { options, batchSize, slice } = workerData as Init;
const ready = openDataset(options);
const port = parentPort;
if (!port) throw new Error('loader-worker must run in a worker thread');

port.on('message', async (msg: { batch: number }) => {
  try {
    const ds = await ready;
    const pairs = [];
    for (const i of batchItems(msg.batch, batchSize, slice)) pairs.push(await ds.item(i));
    const b = collate(msg.batch, pairs);
    port.postMessage({ ok: true, batch: b }, [b.lq.buffer as ArrayBuffer, b.gt.buffer as ArrayBuffer, b.labels.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ ok: false, batch: msg.batch, error: err instanceof Error ? err.message : String(err) });
  }
});
