#!/usr/bin/python3
"""Python/OpenCV/numpy reference timings for bench/degrade/run.ts (performance.md section 3a-3d).

Usage: reference.py CROPS.u8 N SIZE PASSES THREADS [NAMES]   (crops: N x SIZE x SIZE x 3 uint8, RGB;
       NAMES: comma-separated subset of the pieces below, default all)
Prints one JSON object: {name: median ms per pair}. Mirrors MaskDCPT's dataset steps:
  gaussian_noise  PairedImageDenoiseDataset: sigma ~ U(0, 75), float64 normal draw, add, clip
  basicsr_blur    PairedImageGaussianBlurDataset: BasicSR random kernel (sinc p 0.1 else mixed), pad to 21,
                  cv2.filter2D (reflect-101)
  jpeg            PairedImageJPEGCARDataset: round to uint8, cv2.imencode/imdecode, q ~ randint(10, 90)
  mosaic          PairedImageMosaicDataset: numpy RGGB masks (float64, as mosaic_util does), cv2 EA demosaic
  realesrgan      Real-ESRGAN second order at scale 1, step for step as src/degrade/realesrgan.ts, with BasicSR's
                  numpy/OpenCV functions (usm_sharp, generate_*_noise, add_jpg_compression) and cv2.resize
The BasicSR kernel functions are re-written here from their published definitions (no BasicSR install).
"""
import json
import math
import random
import sys
import time

import cv2
import numpy as np

try:
    from scipy import special
except ImportError:  # sinc kernels need J1; without scipy they are skipped (reported)
    special = None


def mesh_grid(k):
    ax = np.arange(-k // 2 + 1.0, k // 2 + 1.0)
    xx, yy = np.meshgrid(ax, ax)
    return np.stack([xx, yy], axis=-1)


def sigma_matrix2(sx, sy, t):
    d = np.array([[sx**2, 0], [0, sy**2]])
    u = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return u @ d @ u.T


def quad(k, sx, sy, t, iso):
    s = np.array([[sx**2, 0], [0, sx**2]]) if iso else sigma_matrix2(sx, sy, t)
    g = mesh_grid(k)
    return np.sum((g @ np.linalg.inv(s)) * g, 2)


def mixed_kernel(k, sig_max=3.0):
    kind = random.choices(["iso", "aniso", "giso", "ganiso", "piso", "paniso"], [0.45, 0.25, 0.12, 0.03, 0.12, 0.03])[0]
    iso = kind in ("iso", "giso", "piso")
    sx = np.random.uniform(0.2, sig_max)
    sy = sx if iso else np.random.uniform(0.2, sig_max)
    t = 0 if iso else np.random.uniform(-math.pi, math.pi)
    q = quad(k, sx, sy, t, iso)
    if kind in ("iso", "aniso"):
        ker = np.exp(-0.5 * q)
    else:
        lo, hi = (0.5, 4) if kind.startswith("g") else (1, 2)
        beta = np.random.uniform(lo, 1) if np.random.uniform() < 0.5 else np.random.uniform(1, hi)
        ker = np.exp(-0.5 * np.power(q, beta)) if kind.startswith("g") else np.reciprocal(np.power(q, beta) + 1)
    return ker / np.sum(ker)


def sinc_kernel(cutoff, k):
    c = (k - 1) / 2
    r = np.fromfunction(lambda x, y: np.sqrt((x - c) ** 2 + (y - c) ** 2), [k, k])
    with np.errstate(divide="ignore", invalid="ignore"):
        ker = cutoff * special.j1(cutoff * r) / (2 * np.pi * r)
    ker[(k - 1) // 2, (k - 1) // 2] = cutoff**2 / (4 * np.pi)
    return ker / np.sum(ker)


def blur_kernel(sig_max=3.0):
    k = random.choice([7, 9, 11, 13, 15, 17, 19, 21])
    if special is not None and np.random.uniform() < 0.1:
        ker = sinc_kernel(np.random.uniform(np.pi / 3, np.pi) if k < 13 else np.random.uniform(np.pi / 5, np.pi), k)
    else:
        ker = mixed_kernel(k, sig_max)
    p = (21 - k) // 2
    return np.pad(ker, ((p, p), (p, p)))


def mosaic_cfa_bayer(rgb):
    # As basicsr/utils/mosaic_util.py (colour-demosaicing style): float64 zero planes per channel set to 1 on
    # the RGGB sites, cast to bool, stacked, multiplied with the image, summed over channels, cast to uint8.
    h, w, _ = rgb.shape
    planes = {c: np.zeros((h, w)) for c in "RGB"}
    for c, (y, x) in zip("RGGB", [(0, 0), (0, 1), (1, 0), (1, 1)]):
        planes[c][y::2, x::2] = 1
    mask = np.concatenate([planes[c].astype(bool)[..., None] for c in "RGB"], axis=-1)
    return np.multiply(mask, rgb).sum(2).astype(np.uint8)


# --- Real-ESRGAN second order (train_realesrnet_x4plus.yml ranges, scale 1), BasicSR's numpy versions ---

RESIZE_MODES = [cv2.INTER_AREA, cv2.INTER_LINEAR, cv2.INTER_CUBIC]


def usm_sharp(img, weight=0.5, radius=50, threshold=10):
    # basicsr.utils.img_process_util.usm_sharp
    radius += 1 - radius % 2
    blur = cv2.GaussianBlur(img, (radius, radius), 0)
    residual = img - blur
    mask = (np.abs(residual) * 255 > threshold).astype("float32")
    soft_mask = cv2.GaussianBlur(mask, (radius, radius), 0)
    sharp = np.clip(img + weight * residual, 0, 1)
    return soft_mask * sharp + (1 - soft_mask) * img


def random_resize(img, h, w):
    return cv2.resize(img, (max(1, w), max(1, h)), interpolation=random.choice(RESIZE_MODES))


def resize_scale(probs, lo, hi):
    kind = random.choices(["up", "down", "keep"], probs)[0]
    return np.random.uniform(1, hi) if kind == "up" else np.random.uniform(lo, 1) if kind == "down" else 1.0


def random_noise(img, sigma_max, poisson_max):
    # basicsr.data.degradations random_add_gaussian_noise / random_add_poisson_noise (gray_prob 0.4, clip)
    gray = np.random.uniform() < 0.4
    h, w, _ = img.shape
    if np.random.uniform() < 0.5:
        sigma = np.random.uniform(1, sigma_max)
        shape = (h, w, 1) if gray else img.shape
        noise = np.float32(np.random.randn(*shape)) * sigma / 255.0
    else:
        scale = np.random.uniform(0.05, poisson_max)
        x = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)[..., None] if gray else img
        x = np.clip((x * 255.0).round(), 0, 255) / 255.0
        vals = 2 ** np.ceil(np.log2(len(np.unique(x))))
        noise = (np.float32(np.random.poisson(x * vals) / float(vals)) - x) * scale
    return np.clip(img + noise, 0, 1).astype(np.float32)


def jpeg_q(img, quality):
    # basicsr.data.degradations add_jpg_compression (quality ~ U(30, 95), rounded as realesrgan.ts does)
    u = (np.clip(img, 0, 1) * 255.0).round().astype(np.uint8)
    _, buf = cv2.imencode(".jpg", u, [int(cv2.IMWRITE_JPEG_QUALITY), int(quality)])
    return np.float32(cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)) / 255.0


def jpeg_rand(img):
    return jpeg_q(img, round(np.random.uniform(30, 95)))


def realesrgan(img):
    h, w, _ = img.shape
    out = usm_sharp(img)
    out = cv2.filter2D(out, -1, blur_kernel(3.0))
    s = resize_scale([0.2, 0.7, 0.1], 0.15, 1.5)
    out = random_resize(out, int(h * s), int(w * s))
    out = random_noise(out, 30, 3)
    out = jpeg_rand(out)
    if np.random.uniform() < 0.8:
        out = cv2.filter2D(out, -1, blur_kernel(1.5))
    s = resize_scale([0.3, 0.4, 0.3], 0.3, 1.2)
    out = random_resize(out, int(h * s), int(w * s))
    out = random_noise(out, 25, 2.5)
    k = random.choice([7, 9, 11, 13, 15, 17, 19, 21])
    sinc = None
    if special is not None and np.random.uniform() < 0.8:
        sinc = np.pad(sinc_kernel(np.random.uniform(np.pi / 3, np.pi), k), (21 - k) // 2)

    def sinc_blur(x):
        return x if sinc is None else cv2.filter2D(x, -1, sinc)

    if np.random.uniform() < 0.5:
        out = jpeg_rand(sinc_blur(random_resize(out, h, w)))
    else:
        out = sinc_blur(random_resize(jpeg_rand(out), h, w))
    return (np.clip((out * 255.0).round(), 0, 255) / 255.0).astype(np.float32)


def main():
    path, n, size, passes, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    names = sys.argv[6].split(",") if len(sys.argv) > 6 else None
    cv2.setNumThreads(threads)
    crops_rgb = np.fromfile(path, np.uint8).reshape(n, size, size, 3)
    crops_bgr = [c[:, :, ::-1].copy() for c in crops_rgb]
    floats = [c.astype(np.float32) / 255.0 for c in crops_bgr]
    random.seed(0)
    np.random.seed(0)

    def noise(i):
        img = floats[i].copy()
        np.random.seed(i)
        s = random.uniform(0, 75)
        img += np.random.normal(0, s / 255.0, img.shape)
        return np.clip(img, 0, 1)

    def blur(i):
        return cv2.filter2D(floats[i], -1, blur_kernel())

    def jpeg(i):
        u = (floats[i] * 255.0).round().astype(np.uint8)
        ok, buf = cv2.imencode(".jpg", u, [int(cv2.IMWRITE_JPEG_QUALITY), random.randint(10, 90)])
        return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED).astype(np.float32) / 255.0

    def mosaic(i):
        rgb = cv2.cvtColor(crops_bgr[i], cv2.COLOR_BGR2RGB)
        cfa = mosaic_cfa_bayer(rgb)
        return cv2.cvtColor(cfa, cv2.COLOR_BAYER_BG2BGR_EA).astype(np.float32) / 255.0

    out = {"_sinc": special is not None}
    pieces = [("gaussian_noise", noise), ("basicsr_blur", blur), ("jpeg", jpeg), ("mosaic", mosaic)]
    pieces.append(("realesrgan", lambda i: realesrgan(floats[i])))
    for name, fn in pieces:
        if names is not None and name not in names:
            continue
        for i in range(min(8, n)):
            fn(i)
        per = []
        for _ in range(passes):
            t0 = time.perf_counter()
            for i in range(n):
                fn(i)
            per.append((time.perf_counter() - t0) * 1000 / n)
        out[name] = float(np.median(per))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
