#!/usr/bin/python3
"""Writes test/fixtures/io/pth-manifest.json: what PyTorch itself loads from each shared/fixtures/archs/*.pth.

Run with Debian's PyTorch (not the pyenv python):  /usr/bin/python3 tools/make-pth-manifest.py
For every checkpoint: top-level keys, and per entry ('params', 'params_ema') and tensor: shape, dtype, storage
offset, the sha256 of the tensor's contiguous little-endian bytes, and a few sampled values (exact float repr).
Also the size and two entries of each OrderedDict's '_metadata' attribute. The TypeScript test compares readPth
against this, so the oracle is torch.load, not our own code.
"""
import glob
import hashlib
import json
import os
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARCHS = os.path.join(ROOT, '..', 'shared', 'fixtures', 'archs')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'io', 'pth-manifest.json')


def describe(t):
    flat = t.detach().contiguous().view(-1)
    n = flat.numel()
    picks = sorted({0, n // 2, n - 1}) if n else []
    return {
        'shape': list(t.shape),
        'dtype': str(t.dtype).replace('torch.', ''),
        'storage_offset': t.storage_offset(),
        'sha256': hashlib.sha256(flat.numpy().tobytes()).hexdigest(),
        'samples': [[i, float(flat[i])] for i in picks],
    }


def main():
    assert sys.byteorder == 'little'
    manifest = {'generator': 'tools/make-pth-manifest.py', 'torch': torch.__version__, 'files': {}}
    for path in sorted(glob.glob(os.path.join(ARCHS, '*.pth'))):
        obj = torch.load(path, map_location='cpu')
        entry = {'top_level_keys': list(obj.keys()), 'entries': {}}
        for key, sd in obj.items():
            meta = getattr(sd, '_metadata', None)
            meta_keys = list(meta.keys()) if meta is not None else []
            entry['entries'][key] = {
                'type': type(sd).__module__ + '.' + type(sd).__name__,
                'metadata_size': len(meta_keys),
                'metadata_samples': {k: dict(meta[k]) for k in meta_keys[:1] + meta_keys[-1:]},
                'tensors': {name: describe(t) for name, t in sd.items()},
            }
        manifest['files'][os.path.basename(path)] = entry
    # One tensor per line keeps the file small but still diffable.
    text = json.dumps(manifest, separators=(',', ':'))
    text = text.replace('},"', '},\n"')
    with open(OUT, 'w') as f:
        f.write(text + '\n')
    print('wrote', OUT, os.path.getsize(OUT), 'bytes')


if __name__ == '__main__':
    main()
