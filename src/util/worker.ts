/**
 * Starts a worker thread on an ES module of this package. Compiled code (dist/*.js) loads directly; when running
 * from TypeScript sources under tsx (tests, `node --import tsx`), Node 20 does not pass tsx's loader to workers,
 * so the worker first registers tsx and then imports the module.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startModuleWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  if (!moduleUrl.pathname.endsWith('.ts')) return new Worker(moduleUrl, options);
  const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(moduleUrl.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** The URL of a sibling module, with the extension the running code uses (.ts under tsx, .js when compiled). */
export function siblingModule(importMetaUrl: string, baseName: string): URL {
  return new URL(`./${baseName}${importMetaUrl.endsWith('.ts') ? '.ts' : '.js'}`, importMetaUrl);
}
