#!/usr/bin/env python3
"""Records independent oracle values for test/metrics/oracle.json.

Run with Debian's Python (python3-opencv, python3-scipy, python3-torch):
    /usr/bin/python3 tools/metrics-oracle.py
- BRISQUE: OpenCV's own cv2.quality.QualityBRISQUE (features and score) with the LIVE model files
  from Debian opencv-data (/usr/share/opencv4/quality).
- imresize: BasicSR's MATLAB-style bicubic imresize (bench/metrics/basicsr_ref.py, torch float32).
Images are read from ../shared (paths relative to it), optionally cropped (y0, x0, h, w).
"""
import json
import os
import sys

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), 'shared')
sys.dont_write_bytecode = True  # keep __pycache__ out of the tree
sys.path.insert(0, os.path.join(ROOT, 'bench', 'metrics'))
import basicsr_ref  # noqa: E402

MODEL = '/usr/share/opencv4/quality/brisque_model_live.yml'
RANGE = '/usr/share/opencv4/quality/brisque_range_live.yml'

BRISQUE_IMAGES = [(f'fixtures/metrics/A{i}_{k}.png', None) for i in range(1, 7) for k in ('gt', 'degraded')] + [
    ('data/kodak24/kodim23.png', None),
    ('data/niqe/baboon_niqe_testvector.png', None),
    ('data/cbsd68/101085.png', None),
    ('data/kodak24/kodim05.png', [3, 5, 101, 77]),  # odd sizes: INTER_CUBIC at a non-integer ratio
    ('data/real/dicm-lowlight/01.jpg', None),  # JPEG: cv2 and sharp decode it identically (libjpeg-turbo)
    ('data/bsd68/test001.png', None),  # grey
    ('data/set12/05.png', [0, 0, 63, 95]),  # grey, odd
]


def load(rel, crop):
    img = cv2.imread(os.path.join(SHARED, rel), cv2.IMREAD_UNCHANGED)
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[..., :3]
    if crop:
        y0, x0, h, w = crop
        img = img[y0:y0 + h, x0:x0 + w]
    return np.ascontiguousarray(img)


def brisque():
    out = []
    for rel, crop in BRISQUE_IMAGES:
        img = load(rel, crop)
        feats = cv2.quality.QualityBRISQUE_computeFeatures(img).ravel()
        score = cv2.quality.QualityBRISQUE_compute(img, MODEL, RANGE)[0]
        out.append({'image': rel, 'crop': crop, 'channels': 1 if img.ndim == 2 else 3,
                    'features': [float(v) for v in feats], 'score': float(score)})
    return out


def ramp(h, w):
    """A deterministic float32 test plane (also built by the TS test)."""
    y, x = np.mgrid[0:h, 0:w]
    return (((x * 7 + y * 13) % 17) / 16.0 + 0.03 * y).astype(np.float32)


def imresize():
    out = []
    for h, w, scale in [(23, 17, 0.5), (24, 18, 0.5), (23, 17, 0.75), (9, 7, 2.0)]:
        res = basicsr_ref.imresize(ramp(h, w), scale)
        out.append({'height': h, 'width': w, 'scale': scale, 'out_height': int(res.shape[0]),
                    'out_width': int(res.shape[1]), 'values': [float(v) for v in res.ravel()]})
    return out


def main():
    import torch
    data = {
        'generated_by': 'tools/metrics-oracle.py',
        'versions': {'opencv': cv2.__version__, 'numpy': np.__version__, 'torch': torch.__version__,
                     'basicsr': 'package' if basicsr_ref.HAVE_BASICSR else 'bench/metrics/basicsr_ref.py transcription'},
        'brisque': brisque(),
        'imresize_ramp': 'v(y, x) = ((7x + 13y) mod 17) / 16 + 0.03 y, float32',
        'imresize': imresize(),
    }
    path = os.path.join(ROOT, 'test', 'metrics', 'oracle.json')
    with open(path, 'w') as f:
        json.dump(data, f, indent=1)
        f.write('\n')
    biome = os.path.join(ROOT, 'node_modules', '.bin', 'biome')
    if os.path.exists(biome):  # leave it as the project's formatter would
        import subprocess
        subprocess.run([biome, 'format', '--write', path], check=False, capture_output=True)
    print('wrote', path)


if __name__ == '__main__':
    main()
