/** Worker side of `synth`: makes the pairs it is sent, one at a time, and answers each with its manifest entry. */
import { parentPort, workerData } from 'node:worker_threads';
import { PairMaker } from './pair.js';
import type { PairJob, Settings } from './plan.js';

const { out, settings } = workerData as { out: string; settings: Settings };
const maker = new PairMaker(out, settings);
const port = parentPort;
if (!port) throw new Error('synth worker must run in a worker thread');

port.on('message', async (job: PairJob) => {
  try {
    port.postMessage({ ok: true, entry: await maker.make(job) });
  } catch (err) {
    port.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
