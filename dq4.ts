import { runMaskDCPTDemo } from './src/demo/maskdcpt-demo.js';
const r = await runMaskDCPTDemo({ pretrainIters: 4, finetuneIters: 2, outDir: '/tmp/demo-q2', log: (l) => console.log(new Date().toISOString().slice(11, 19), l) });
console.log(r.table, r.report);
