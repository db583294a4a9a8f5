/** Process-wide engine settings: threads, RNG, allocator, build information. */
import { type AllocatorStats, type BuildInfo, native } from './native.js';

/** Seeds libtorch's default generator (CPU, and CUDA when present), as torch.manual_seed. */
export function manualSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`manualSeed: need a non-negative integer, got ${seed}`);
  native.manualSeed(seed);
}

/** The CPU generator's state bytes (torch.get_rng_state()); restore with `setRngState`. */
export function getRngState(): Uint8Array {
  return new Uint8Array(native.getRngState());
}

export function setRngState(state: Uint8Array): void {
  native.setRngState(state);
}

export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}

export function getNumThreads(): number {
  return native.getNumThreads();
}

export function buildInfo(): BuildInfo {
  return native.buildInfo();
}

export function allocatorStats(): AllocatorStats {
  return native.allocatorStats();
}

/** Returns cached blocks of the caching CPU allocator to the system. */
export function emptyCache(): void {
  native.emptyCache();
}

export function resetPeakMemory(): void {
  native.resetPeakMemory();
}
