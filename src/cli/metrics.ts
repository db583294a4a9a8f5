/**
 * `maskdcpt metrics <psnr|ssim|piqe|niqe|brisque> <image> [reference]`: one image-quality value, printed with
 * the convention it was computed under. Bad input (sizes or channels that differ, images too small for the
 * metric's window or blocks, unreadable files) becomes one line naming the files.
 */
import type { Command } from 'commander';
import { readImage } from '../io/image.js';
import type { Raster } from '../io/raster.js';
import { FULL_REFERENCE_CONVENTIONS, type FullReferenceConvention } from '../metrics/full-reference.js';
import { formatMetricValue, getMetric, type MetricValue } from '../metrics/registry.js';

const CLI_METRICS = ['psnr', 'ssim', 'piqe', 'niqe', 'brisque'] as const;
type CliMetric = (typeof CLI_METRICS)[number];

interface MetricsFlags {
  convention?: string;
  channel?: string;
  cropBorder?: string;
  json?: boolean;
}

/** Drops the `psnr: ` prefix the metric functions put on their messages (the CLI names the metric itself). */
const stripWho = (msg: string, who: string) => (msg.startsWith(`${who}: `) ? msg.slice(who.length + 2) : msg);

function parseCrop(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--crop-border must be a non-negative integer, got '${v}'`);
  return n;
}

function compute(name: CliMetric, image: Raster, reference: Raster | undefined, flags: MetricsFlags): MetricValue {
  const cropBorder = parseCrop(flags.cropBorder);
  const channel = flags.channel;
  if (channel !== undefined && channel !== 'y' && channel !== 'rgb') {
    throw new Error(`--channel must be 'y' or 'rgb', got '${channel}'`);
  }
  if (name === 'psnr' || name === 'ssim') {
    const convention = flags.convention as FullReferenceConvention | undefined;
    if (convention !== undefined && !FULL_REFERENCE_CONVENTIONS.includes(convention)) {
      throw new Error(`unknown convention '${convention}'; valid: ${FULL_REFERENCE_CONVENTIONS.join(', ')}`);
    }
    const options = {
      ...(convention ? { convention } : {}),
      ...(channel ? { channel: channel as 'y' | 'rgb' } : {}),
      ...(cropBorder !== undefined ? { cropBorder } : {}),
    };
    return getMetric(name).compute(image, reference as Raster, options);
  }
  if (flags.convention !== undefined) {
    throw new Error(`--convention applies to psnr and ssim; ${name} has a single convention`);
  }
  if (name === 'niqe') {
    // y: BasicSR's Y of YCbCr (default); rgb: the MaskDCPT fork's mean of the NIQE of R, G and B.
    const options = {
      ...(channel ? { convertTo: channel === 'y' ? ('y' as const) : ('rgb-mean' as const) } : {}),
      ...(cropBorder !== undefined ? { cropBorder } : {}),
    };
    return getMetric('niqe').compute(image, options);
  }
  if (channel !== undefined || cropBorder !== undefined) {
    throw new Error(`${name} takes no --channel or --crop-border (it measures the whole image, in grey)`);
  }
  return getMetric(name).compute(image);
}

export function registerMetrics(program: Command): void {
  program
    .command('metrics')
    .description('compute one image-quality metric: psnr/ssim against a reference, or piqe/niqe/brisque alone')
    .argument('<metric>', CLI_METRICS.join(' | '))
    .argument('<image>', 'the image to measure (restored or degraded)')
    .argument('[reference]', 'the ground-truth image (psnr and ssim)')
    .option('--convention <name>', `psnr/ssim convention: ${FULL_REFERENCE_CONVENTIONS.join(', ')} (default maskdcpt)`)
    .option(
      '--channel <y|rgb>',
      'psnr/ssim: all RGB channels (default) or BT.601 Y; niqe: y (default) or rgb (mean over R, G, B)',
    )
    .option('--crop-border <n>', 'pixels removed on every side first (psnr, ssim, niqe)')
    .option('--json', 'print a JSON object instead of a line')
    .action(async (metric: string, imagePath: string, referencePath: string | undefined, flags: MetricsFlags) => {
      if (!(CLI_METRICS as readonly string[]).includes(metric)) {
        throw new Error(`unknown metric '${metric}'; valid: ${CLI_METRICS.join(', ')}`);
      }
      const name = metric as CliMetric;
      const fullReference = name === 'psnr' || name === 'ssim';
      if (fullReference && referencePath === undefined) {
        throw new Error(`${name} compares two images: give the reference (ground truth) after ${imagePath}`);
      }
      if (!fullReference && referencePath !== undefined) {
        throw new Error(`${name} is a no-reference metric: it takes one image, got a second (${referencePath})`);
      }
      const image = (await readImage(imagePath)).raster;
      const reference = referencePath === undefined ? undefined : (await readImage(referencePath)).raster;
      const subject = referencePath === undefined ? imagePath : `${imagePath} against ${referencePath}`;
      let v: MetricValue;
      try {
        v = compute(name, image, reference, flags);
      } catch (err) {
        throw new Error(`${name} of ${subject}: ${stripWho(err instanceof Error ? err.message : String(err), name)}`);
      }
      if (flags.json) {
        const value = Number.isFinite(v.value) ? v.value : v.value > 0 ? 'inf' : String(v.value);
        const out = { ...v, value, image: imagePath, ...(referencePath ? { reference: referencePath } : {}) };
        console.log(JSON.stringify(out));
      } else {
        console.log(formatMetricValue(v));
      }
    });
}
