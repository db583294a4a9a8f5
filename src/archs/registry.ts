/**
 * The model registry, timm-style: architectures by family name (`nafnet`, `restormer`, `promptir`, `swinir`)
 * and named presets (`nafnet-64-5d`, `nafnet-tiny`, ...). `createModel(name, options)` accepts either; preset
 * options can be overridden. Unknown names list the valid ones.
 */
import { Registry } from '../util/registry.js';
import { NAFNet, type NAFNetOptions } from './nafnet.js';
import { PROMPTIR_PAPER, PromptIR, type PromptIROptions } from './promptir.js';
import { RESTORMER_PAPER, Restormer, type RestormerOptions } from './restormer.js';
import { SWINIR_DEFAULTS, SwinIR, type SwinIROptions } from './swinir.js';
import type { Backbone } from './types.js';

export type ArchOptions = Record<string, unknown>;

interface ArchEntry {
  build: (options: ArchOptions) => Backbone;
  description: string;
}

interface PresetEntry {
  arch: string;
  options: ArchOptions;
  description: string;
}

export const archs = new Registry<ArchEntry>('architecture');
export const presets = new Registry<PresetEntry>('model preset');

archs.register('nafnet', {
  build: (o) => new NAFNet(o as unknown as NAFNetOptions),
  description: "NAFNet (MaskDCPT's NAFNetBaseline)",
});
archs.register('restormer', {
  build: (o) => new Restormer(o as RestormerOptions),
  description: "Restormer (MaskDCPT's fork: LayerNorm with bias)",
});
archs.register('promptir', {
  build: (o) => new PromptIR(o as PromptIROptions),
  description: 'PromptIR (Restormer body with prompt blocks; dim must be 48)',
});
archs.register('swinir', {
  build: (o) => new SwinIR(o as SwinIROptions),
  description: "SwinIR (MaskDCPT's fork: no relative position bias, no shift mask)",
});

const nafnet = (width: number, enc: number[], mid: number, dec: number[], windowSize = 16): ArchOptions => ({
  width,
  encBlkNums: enc,
  middleBlkNum: mid,
  decBlkNums: dec,
  windowSize,
});

presets.register('nafnet-64-5d', {
  arch: 'nafnet',
  options: nafnet(64, [1, 1, 1, 28], 1, [1, 1, 1, 1]),
  description: "MaskDCPT's NAFNet (67.89M), the paper's 5D/12D backbone",
});
presets.register('nafnet-small', {
  arch: 'nafnet',
  options: nafnet(32, [1, 1, 1, 8], 1, [1, 1, 1, 1]),
  description: 'NAFNet width 32, enc [1,1,1,8] (7.77M): the CPU-scale preset of the benchmarks',
});
presets.register('nafnet-tiny', {
  arch: 'nafnet',
  options: nafnet(8, [1, 1, 1, 1], 1, [1, 1, 1, 1]),
  description: 'NAFNet width 8 (~40k): seconds-long CI runs',
});
presets.register('restormer-5d', {
  arch: 'restormer',
  options: { ...RESTORMER_PAPER } as ArchOptions,
  description: "MaskDCPT's Restormer (26.13M)",
});
presets.register('restormer-small', {
  arch: 'restormer',
  options: { dim: 24, numBlocks: [2, 2, 2, 2], numRefinementBlocks: 1, heads: [1, 2, 4, 8], ffnExpansionFactor: 2.66, bias: false },
  description: 'Restormer dim 24, blocks [2,2,2,2] (2.57M): the CPU-scale preset',
});
presets.register('restormer-tiny', {
  arch: 'restormer',
  options: { dim: 8, numBlocks: [1, 1, 1, 1], numRefinementBlocks: 1, heads: [1, 1, 2, 2], ffnExpansionFactor: 2, bias: false },
  description: 'Restormer dim 8: seconds-long CI runs',
});
presets.register('promptir-5d', {
  arch: 'promptir',
  options: { ...PROMPTIR_PAPER } as ArchOptions,
  description: "MaskDCPT's PromptIR (35.54M)",
});
presets.register('promptir-small', {
  arch: 'promptir',
  options: { dim: 48, numBlocks: [1, 1, 1, 1], numRefinementBlocks: 1, heads: [1, 2, 4, 8], ffnExpansionFactor: 1 },
  description: 'PromptIR with one block per level (dim is fixed at 48 by the fork)',
});
presets.register('swinir-5d', {
  arch: 'swinir',
  options: { ...SWINIR_DEFAULTS, depths: [...SWINIR_DEFAULTS.depths], numHeads: [...SWINIR_DEFAULTS.numHeads] } as ArchOptions,
  description: "MaskDCPT's SwinIR (embed 180, 6 RSTB x 6, window 8; 11.5M)",
});
presets.register('swinir-small', {
  arch: 'swinir',
  options: {
    imgSize: 64,
    embedDim: 60,
    depths: [2, 2, 2, 2, 2, 2],
    numHeads: [6, 6, 6, 6, 6, 6],
    windowSize: 8,
    mlpRatio: 2,
  },
  description: 'SwinIR embed 60, 6 RSTB x 2 blocks, 6 heads, window 8 (0.58M): the CPU-scale preset of the benchmarks',
});
presets.register('swinir-tiny', {
  arch: 'swinir',
  options: { imgSize: 64, embedDim: 12, depths: [1, 1, 1, 1, 1, 1], numHeads: [2, 2, 2, 2, 2, 2], windowSize: 8, mlpRatio: 2 },
  description: 'SwinIR embed 12, one block per RSTB: seconds-long CI runs',
});

export interface ResolvedModel {
  arch: string;
  options: ArchOptions;
}

/** Resolves a preset or architecture name plus overrides to (architecture, full options). */
export function resolveModel(name: string, options: ArchOptions = {}): ResolvedModel {
  if (presets.has(name)) {
    const p = presets.get(name);
    return { arch: p.arch, options: { ...p.options, ...options } };
  }
  if (archs.has(name)) return { arch: name, options };
  throw new Error(`unknown model '${name}'; architectures: ${archs.list().join(', ')}; presets: ${presets.list().join(', ')}`);
}

/** Builds a backbone by preset or architecture name (timm's create_model). */
export function createModel(name: string, options: ArchOptions = {}): Backbone {
  const r = resolveModel(name, options);
  try {
    return archs.get(r.arch).build(r.options);
  } catch (err) {
    throw new Error(`cannot build ${name} (${r.arch}) with ${JSON.stringify(r.options)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Preset and architecture names matching a glob (timm's list_models). */
export function listModels(pattern?: string): string[] {
  return [...new Set([...presets.list(pattern), ...archs.list(pattern)])].sort();
}
