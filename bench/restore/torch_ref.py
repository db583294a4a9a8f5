"""PyTorch side of bench/restore: the same nafnet-small (bench/archs/torch_models.py), the same tiling.

  /usr/bin/python3 bench/restore/torch_ref.py time  <threads> <image> <repeat> <tile> <pad> <runs> <warmup>
  /usr/bin/python3 bench/restore/torch_ref.py check <threads> <image> <repeat> <tile> <pad> <dir>

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

mode, threads, image = sys.argv[1], int(sys.argv[2]), sys.argv[3]
repeat, tile, pad = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
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


def load_image():
    a = np.asarray(Image.open(image).convert('RGB'), dtype=np.float32) / 255.0
    x = torch.from_numpy(a).permute(2, 0, 1).unsqueeze(0).contiguous()
    return x.repeat(1, 1, repeat, repeat) if repeat > 1 else x


if mode == 'time':
    runs, warmup = int(sys.argv[7]), int(sys.argv[8])
    x = load_image()
    H, W = x.shape[2:]
    times, cpu = [], []
    for i in range(warmup + runs):
        c0 = time.process_time()
        t0 = time.perf_counter()
        restore_tiled(x)
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    m = sorted(times)[len(times) // 2]
    print(json.dumps({'median_ms': m, 'times': times, 'cpu_ms': sorted(cpu)[len(cpu) // 2],
                      'mp_per_s': H * W / 1e6 / (m / 1000), 'height': H, 'width': W,
                      'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
elif mode == 'check':
    d = sys.argv[7]
    model.load_state_dict(M.read_safetensors(os.path.join(d, 'weights.safetensors')), strict=True)
    io = M.read_safetensors(os.path.join(d, 'io.safetensors'))
    x = load_image()
    y = restore_tiled(io['input'])
    print(json.dumps({'input_max_abs': (x - io['input']).abs().max().item(),
                      'output_max_abs': (y - io['output']).abs().max().item(),
                      'height': x.shape[2], 'width': x.shape[3]}))
else:
    raise SystemExit(f'unknown mode {mode}')
