/** `maskdcpt serve-demo`: the browser demo (web/dist) and a model on a local static server (src/demo/serve.ts). */
import type { Command } from 'commander';
import { serveDemo } from '../demo/serve.js';
import { intFlag } from './restore.js';

interface ServeFlags {
  model?: string;
  port: string;
  host: string;
  dir?: string;
}

export function registerServeDemo(program: Command): void {
  program
    .command('serve-demo')
    .description('serve the browser demo (restore and diagnose with onnxruntime-web) and a model, offline')
    .option('--model <file.onnx>', 'exported model, served as model.onnx (default: model.onnx in the demo folder)')
    .option('--port <n>', 'port (0 = any free port)', '8080')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--dir <folder>', 'the built demo (default: web/dist of this package; build it with npm run build:web)')
    .action(async (flags: ServeFlags) => {
      const s = await serveDemo({
        port: intFlag(flags.port, '--port'),
        host: flags.host,
        ...(flags.model ? { model: flags.model } : {}),
        ...(flags.dir ? { dir: flags.dir } : {}),
      });
      process.stdout.write(`serving the demo at ${s.url} (Ctrl+C to stop)\n`);
      await new Promise<void>((resolve) => process.once('SIGINT', resolve));
      await s.close();
    });
}
