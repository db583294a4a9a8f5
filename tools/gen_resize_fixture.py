#!/usr/bin/python3
"""Writes test/fixtures/degrade/resize.safetensors: PyTorch resampling oracles for src/degrade/resize.ts.

Run with Debian's Python (torch 1.13): /usr/bin/python3 tools/gen_resize_fixture.py
- torch bicubic with antialias=True uses the Keys a=-0.5 kernel widened by 1/scale, like MATLAB imresize, but
  truncates + renormalises at borders where MATLAB mirrors: only interior samples are comparable.
- torch bilinear / bicubic (a=-0.75) / area without antialias are the modes Real-ESRGAN uses: fully comparable.
"""
import json
import struct
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.RandomState(1234)
img = rng.rand(24, 30, 3).astype(np.float32)  # HWC
x = torch.from_numpy(img).permute(2, 0, 1)[None]

out = {"input": img}
def hwc(t):
    return t[0].permute(1, 2, 0).contiguous().numpy().astype(np.float32)

for name, size in [("down2", (12, 15)), ("down3", (8, 10)), ("up2", (48, 60))]:
    out[f"aa_bicubic.{name}"] = hwc(F.interpolate(x, size=size, mode="bicubic", align_corners=False, antialias=True))
for mode in ["bilinear", "bicubic", "area"]:
    for name, size in [("down", (10, 13)), ("up", (37, 41))]:
        kw = {} if mode == "area" else {"align_corners": False}
        out[f"{mode}.size.{name}"] = hwc(F.interpolate(x, size=size, mode=mode, **kw))
for mode in ["bilinear", "bicubic"]:
    for sf in [0.37, 1.3]:
        out[f"{mode}.scale.{sf}"] = hwc(F.interpolate(x, scale_factor=sf, mode=mode, align_corners=False))

header = {}
blobs = []
off = 0
for k, v in out.items():
    b = np.ascontiguousarray(v).astype("<f4").tobytes()
    header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
    blobs.append(b)
    off += len(b)
header["__metadata__"] = {"producer": "tools/gen_resize_fixture.py", "torch": torch.__version__}
h = json.dumps(header).encode()
h += b" " * ((8 - len(h) % 8) % 8)
dst = Path(__file__).resolve().parent.parent / "test/fixtures/degrade/resize.safetensors"
dst.parent.mkdir(parents=True, exist_ok=True)
dst.write_bytes(struct.pack("<Q", len(h)) + h + b"".join(blobs))
print(dst, dst.stat().st_size)
