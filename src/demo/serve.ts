/**
 * A tiny static server for the browser demo (web/dist) and a model file, for `maskdcpt serve-demo`. It serves
 * COOP/COEP headers so the page is cross-origin isolated and onnxruntime-web may use wasm threads. Read-only,
 * GET/HEAD only, paths confined to the folder; binds to 127.0.0.1 unless told otherwise.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.css': 'text/css; charset=utf-8',
};

/** web/dist of this package (src/demo and dist/demo both sit two levels below the package root). */
export function defaultDemoDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');
}

/**
 * onnxruntime-web's wasm files, served from the installed package when the demo folder lacks them (the npm
 * package ships web/dist without the 28 MB binary; `npm run build:web` copies it for a self-contained folder).
 */
function ortFile(name: string): string | undefined {
  if (!/^ort-wasm-[a-z.-]+\.(wasm|mjs)$/.test(name)) return undefined;
  try {
    return createRequire(import.meta.url).resolve(`onnxruntime-web/${name}`);
  } catch {
    return undefined;
  }
}

export interface ServeOptions {
  /** The built demo (default: the package's web/dist). */
  dir?: string;
  /** Served as /model.onnx (default: a model.onnx inside `dir`, if any). */
  model?: string;
  /** 0 = any free port. */
  port?: number;
  host?: string;
}

export interface DemoServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function serveDemo(o: ServeOptions = {}): Promise<DemoServer> {
  const root = resolve(o.dir ?? defaultDemoDir());
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`${root} holds no built demo (index.html): run \`npm run build:web\` in the maskdcpt package`);
  }
  const model = o.model ? resolve(o.model) : undefined;
  if (model && !(existsSync(model) && statSync(model).isFile())) throw new Error(`model file not found: ${o.model}`);
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    let file =
      path === '/model.onnx' && model ? model : resolve(root, normalize(`.${path === '/' ? '/index.html' : path}`));
    const inside = file === model || file.startsWith(root + sep);
    if (inside && !existsSync(file)) file = ortFile(path.slice(1)) ?? file;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (!inside || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      fail(new Error(err.code === 'EADDRINUSE' ? `port ${o.port} is in use; pick another with --port` : err.message)),
    );
    server.listen(o.port ?? 8080, host, ok);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    server,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
