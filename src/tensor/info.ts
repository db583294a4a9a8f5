/** A description of the engine for `maskdcpt info` and bug reports. */
import { readFileSync } from 'node:fs';
import { allocatorStats, buildInfo } from './runtime.js';
import type { AllocatorStats } from './native.js';

export interface EngineInfo {
  maskdcpt: string;
  node: string;
  libtorch: {
    version: string;
    source: string;
    cpuCapability: string | null;
    mkldnn: boolean;
    openmp: boolean;
    lapack: boolean;
    config: string;
  };
  threads: { intraOp: number; interOp: number };
  devices: string[];
  allocator: AllocatorStats;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

export function engineInfo(): EngineInfo {
  const b = buildInfo();
  const cap = /CPU capability usage: (\S+)/.exec(b.config)?.[1] ?? null;
  const devices = ['cpu', ...Array.from({ length: b.cudaDevices }, (_, i) => `cuda:${i}`)];
  return {
    maskdcpt: packageVersion(),
    node: process.version,
    libtorch: {
      version: b.version,
      source: process.env.LIBTORCH ? `LIBTORCH=${process.env.LIBTORCH}` : 'system (Debian libtorch-dev)',
      cpuCapability: cap,
      mkldnn: b.hasMkldnn,
      openmp: b.hasOpenMP,
      lapack: b.hasLapack,
      config: b.config.trim(),
    },
    threads: { intraOp: b.numThreads, interOp: b.numInteropThreads },
    devices,
    allocator: allocatorStats(),
  };
}
