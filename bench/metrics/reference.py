#!/usr/bin/env python3
"""Python reference timings for bench/metrics/run.ts (see shared/reference/performance.md section 4).

    /usr/bin/python3 bench/metrics/reference.py GT.png LQ_OUT.png
Makes the distorted image (GT + N(0, 25), RandomState(0), clipped and rounded to uint8), writes it to
LQ_OUT.png for the TypeScript side, then times skimage's structural_similarity and BasicSR's
calculate_ssim / calculate_niqe (the real package if installed, else bench/metrics/basicsr_ref.py)
and prints one JSON object: {"name": {"ms": median, "value": v}, ...}.
"""
import json
import os
import sys
import time

import cv2
import numpy as np
from skimage.metrics import structural_similarity

sys.dont_write_bytecode = True  # keep __pycache__ out of the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import basicsr_ref  # noqa: E402

NPZ = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), '..', 'shared',
                   'data', 'niqe', 'niqe_pris_params.npz')


def timed(fn, warm, reps):
    for _ in range(warm):
        fn()
    ts = []
    v = None
    for _ in range(reps):
        t0 = time.perf_counter()
        v = fn()
        ts.append((time.perf_counter() - t0) * 1000)
    return {'ms': float(np.median(ts)), 'min_ms': float(np.min(ts)), 'value': float(v)}


def main():
    gt_path, lq_path = sys.argv[1], sys.argv[2]
    gt_bgr = cv2.imread(gt_path)
    rng = np.random.RandomState(0)
    lq_bgr = np.clip(np.round(gt_bgr.astype(np.float64) + rng.normal(0, 25, gt_bgr.shape)), 0, 255).astype(np.uint8)
    cv2.imwrite(lq_path, lq_bgr)
    gt = cv2.cvtColor(gt_bgr, cv2.COLOR_BGR2RGB)
    lq = cv2.cvtColor(lq_bgr, cv2.COLOR_BGR2RGB)
    gt32, lq32 = gt.astype(np.float32) / 255, lq.astype(np.float32) / 255
    npz = os.path.normpath(NPZ)
    out = {
        'basicsr_ssim': timed(lambda: basicsr_ref.calculate_ssim(lq, gt, 0), 2, 9),
        'skimage_ssim_u8': timed(lambda: structural_similarity(gt, lq, channel_axis=2, data_range=255), 2, 9),
        'skimage_ssim_f32': timed(lambda: structural_similarity(gt32, lq32, channel_axis=2, data_range=1), 2, 9),
        'basicsr_niqe_lq': timed(lambda: basicsr_ref.calculate_niqe(lq_bgr, npz), 1, 5),
        'basicsr_niqe_gt': timed(lambda: basicsr_ref.calculate_niqe(gt_bgr, npz), 1, 5),
        'basicsr': 'package' if basicsr_ref.HAVE_BASICSR else 'transcription',
    }
    print(json.dumps(out))


if __name__ == '__main__':
    main()
