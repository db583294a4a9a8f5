/**
 * `maskdcpt export` on the official fixtures: official .pth weights → dynamic-size ONNX through the command
 * tree; onnxruntime's output on the fixture's photo crop must equal the official PyTorch output recorded in
 * the fixture (an oracle independent of our libtorch code).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeModel } from '../../src/export/index.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { runCli } from '../helpers/cli.js';
import { archsDir } from '../helpers/fixtures.js';
import { maxAbsDiff, ortForward, ortSession } from '../export/onnx-helpers.js';

/** The official constructor kwargs each fixture records that map 1:1 (snake_case → camelCase) to our options. */
const TRANSFORMER = [
  'inp_channels',
  'out_channels',
  'dim',
  'num_blocks',
  'num_refinement_blocks',
  'heads',
  'ffn_expansion_factor',
  'bias',
  'window_size',
];
const KWARGS: Record<string, string[]> = {
  nafnet: ['img_channel', 'width', 'middle_blk_num', 'enc_blk_nums', 'dec_blk_nums', 'window_size'],
  restormer: TRANSFORMER,
  promptir: TRANSFORMER,
  swinir: [
    'img_size',
    'patch_size',
    'in_chans',
    'embed_dim',
    'depths',
    'num_heads',
    'window_size',
    'mlp_ratio',
    'img_range',
    'resi_connection',
    'qkv_bias',
    'qk_scale',
  ],
};

const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

for (const [arch, keys] of Object.entries(KWARGS)) {
  test(`export ${arch}: official weights → ONNX equals the official PyTorch output`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mdt-export-'));
    try {
      const meta = JSON.parse(readFileSync(join(archsDir, `${arch}.json`), 'utf8')) as {
        kwargs: Record<string, unknown>;
      };
      const options = Object.fromEntries(keys.map((k) => [camel(k), meta.kwargs[k]]));
      const out = join(dir, `${arch}.onnx`);
      const msg = await runCli(
        'export',
        '--weights',
        join(archsDir, `${arch}.pth`),
        '--arch',
        arch,
        '--arch-options',
        JSON.stringify(options),
        '-o',
        out,
        '--dynamic-size',
        '--verify',
      );
      assert.match(msg, new RegExp(`wrote .*${arch}\\.onnx \\(${arch}, opset 17, dynamic size`));
      assert.match(msg, /verified: onnxruntime vs libtorch max abs diff \d+x\d+: [\d.e+-]+, \d+x\d+: /);
      const bytes = new Uint8Array(readFileSync(out));
      const props = Object.fromEntries(decodeModel(bytes).metadata_props.map((p) => [p.key, p.value]));
      assert.equal(props.weights, `${arch}.pth`);
      const io = (await readSafetensors(join(archsDir, `${arch}.io.safetensors`))).tensors;
      const input = io.get('input');
      const expected = io.get('output');
      assert.ok(input && expected);
      const [, , h, w] = input.shape as [number, number, number, number];
      const session = await ortSession(bytes);
      const got = await ortForward(session, input.data as Float32Array, h, w);
      await session.release();
      const diff = maxAbsDiff(got.data, expected.data as Float32Array);
      t.diagnostic(`${arch}: ONNX vs official PyTorch max abs diff ${diff.toExponential(2)}`);
      assert.ok(diff <= 1e-4, `${arch}: max abs diff ${diff}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('export: clear errors for bad flags', async () => {
  const pth = join(archsDir, 'nafnet.pth');
  await assert.rejects(
    runCli('export', '--weights', pth, '-n', 'nafnet-tiny', '--arch', 'nafnet', '-o', 'x.onnx'),
    /give one of -n\/--model and --arch/,
  );
  await assert.rejects(
    runCli('export', '--weights', pth, '--arch', 'nafnet', '-o', 'x.onnx', '--size', '64by64'),
    /--size must be HxW/,
  );
  await assert.rejects(
    runCli('export', '--weights', pth, '--arch', 'nafnet', '-o', 'x.onnx', '--opset', '13'),
    /--opset 13 is not supported; use 17\.\.21/,
  );
  await assert.rejects(runCli('export', '--weights', pth, '-o', 'x.onnx'), /does not say which architecture/);
});
