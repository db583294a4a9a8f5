"""PyTorch side of bench/restore: the same nafnet-small (bench/archs/torch_models.py), the same tiling.

  /usr/bin/python3 bench/restore/torch_ref.py time  <library|engine> <threads> <image> <repeat> <tile> <pad> <runs> <warmup> [weights]
  /usr/bin/python3 bench/restore/torch_ref.py check <library|engine> <threads> <image> <repeat> <tile> <pad> <dir>

library: the layout of src/restore (equal (tile+2*pad)^2 windows, edge windows shifted inwards, origins and pad
multiples of 16, linear feather of pad/2 per side), re-implemented here with tensor ops. engine: core tiles with
up to `pad` clipped context, cores copied out. Both clamp to [0, 1].

check loads our weights and our decoded input from <dir>, restores with the same tiling and prints the largest
difference to our restored image. Prints one JSON line.
"""
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'archs'))
import torch_models as M  # noqa: E402

mode, impl, threads, image = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
repeat, tile, pad = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
rest = sys.argv[8:]
torch.set_num_threads(threads)
torch.manual_seed(0)
model = M.build('nafnet-small').eval()
MULT = 16  # 2 ** number of encoder levels


def forward_padded(x):
    """Reflect-pad bottom/right to a multiple of 16 (as MaskDCPT's test code), run, crop back."""
    h, w = x.shape[2:]
    ph, pw = (-h) % MULT, (-w) % MULT
    if ph or pw:
        y = model(F.pad(x, (0, pw, 0, ph), mode='reflect'))
        return y[:, :, :h, :w]
    return model(x)


def restore_tiled(x):
    _, c, H, W = x.shape
    out = torch.zeros(1, c, H, W)
    with torch.no_grad():
        for y0 in range(0, H, tile):
            for x0 in range(0, W, tile):
                y1, x1 = min(y0 + tile, H), min(x0 + tile, W)
                ya, yb = max(0, y0 - pad), min(H, y1 + pad)
                xa, xb = max(0, x0 - pad), min(W, x1 + pad)
                y = forward_padded(x[:, :, ya:yb, xa:xb].contiguous())
                out[:, :, y0:y1, x0:x1] = y[:, :, y0 - ya:y1 - ya, x0 - xa:x1 - xa]
        out.clamp_(0, 1)
    return out


def axis_layout(size, tile, pad, m):
    """Windows (start, and the output band with its feather weights) along one axis, as src/restore lays them."""
    padded = -(-size // m) * m
    whole = tile <= 0 or tile + 2 * pad >= padded
    window = padded if whole else tile + 2 * pad
    n = 1 if whole else -(-size // tile)
    f = min(pad // 2, tile // 2)
    tiles = []
    for i in range(n):
        core0 = 0 if whole else i * tile
        core1 = size if whole else min(size, core0 + tile)
        win0 = min(max(core0 - pad, 0), padded - window)
        lo = f if core0 > 0 else 0
        hi = f if core1 < size else 0
        out0, out1 = core0 - lo, min(size, core1 + hi)
        w = torch.ones(out1 - out0, dtype=torch.float64)
        for p in range(out0, out1):
            if lo > 0 and p < core0 + lo:
                w[p - out0] = (p - (core0 - lo) + 0.5) / (2 * lo)
            if hi > 0 and p >= core1 - hi:
                w[p - out0] = 1 - (p - (core1 - hi) + 0.5) / (2 * hi)
        tiles.append((win0, out0, out1, w))
    return window, tiles


def restore_library(x):
    _, c, H, W = x.shape
    t = (tile // MULT) * MULT
    p = -(-pad // MULT) * MULT
    wh, ys = axis_layout(H, t, p, MULT)
    ww, xs = axis_layout(W, t, p, MULT)
    ph, pw = (-H) % MULT, (-W) % MULT
    xp = F.pad(x, (0, pw, 0, ph), mode='reflect') if ph or pw else x
    out = torch.zeros(1, c, H, W)
    with torch.no_grad():
        for (wy0, oy0, oy1, wy) in ys:
            for (wx0, ox0, ox1, wx) in xs:
                y = model(xp[:, :, wy0:wy0 + wh, wx0:wx0 + ww].contiguous())
                weight = (wy[:, None] * wx[None, :]).float()
                out[:, :, oy0:oy1, ox0:ox1] += weight * y[:, :, oy0 - wy0:oy1 - wy0, ox0 - wx0:ox1 - wx0]
        out.clamp_(0, 1)
    return out


restore = restore_library if impl == 'library' else restore_tiled


def load_image():
    a = np.asarray(Image.open(image).convert('RGB'), dtype=np.float32) / 255.0
    x = torch.from_numpy(a).permute(2, 0, 1).unsqueeze(0).contiguous()
    return x.repeat(1, 1, repeat, repeat) if repeat > 1 else x


if mode == 'time':
    runs, warmup = int(rest[0]), int(rest[1])
    if len(rest) > 2:  # our weights (bench/onnx: the same model on every side)
        model.load_state_dict(M.read_safetensors(rest[2]), strict=True)
    x = load_image()
    H, W = x.shape[2:]
    times, cpu = [], []
    for i in range(warmup + runs):
        c0 = time.process_time()
        t0 = time.perf_counter()
        restore(x)
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    m = sorted(times)[len(times) // 2]
    print(json.dumps({'median_ms': m, 'times': times, 'cpu_ms': sorted(cpu)[len(cpu) // 2],
                      'mp_per_s': H * W / 1e6 / (m / 1000), 'height': H, 'width': W,
                      'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
elif mode == 'check':
    d = rest[0]
    model.load_state_dict(M.read_safetensors(os.path.join(d, 'weights.safetensors')), strict=True)
    io = M.read_safetensors(os.path.join(d, 'io.safetensors'))
    x = load_image()
    y = restore(io['input'])
    print(json.dumps({'input_max_abs': (x - io['input']).abs().max().item(),
                      'output_max_abs': (y - io['output']).abs().max().item(),
                      'height': x.shape[2], 'width': x.shape[3]}))
else:
    raise SystemExit(f'unknown mode {mode}')
