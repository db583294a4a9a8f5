"""BasicSR-equivalent SSIM, PSNR, Y conversion, imresize and NIQE, for benchmarks and oracle data.

Uses the real `basicsr` package when it is importable; otherwise these are line-for-line
transcriptions of XPixelGroup/BasicSR @ 8d56e3a (Apache-2.0): basicsr/metrics/psnr_ssim.py,
metric_util.py, niqe.py, basicsr/utils/color_util.py and matlab_functions.py (imresize needs torch,
as upstream). Only numpy, scipy, cv2 and torch are required.
"""
import math

import cv2
import numpy as np
from scipy.ndimage import convolve
from scipy.special import gamma

try:  # the genuine package, if present
    from basicsr.metrics.niqe import calculate_niqe as _bsr_niqe  # noqa: F401
    from basicsr.metrics.psnr_ssim import calculate_psnr, calculate_ssim  # noqa: F401
    from basicsr.utils.matlab_functions import imresize  # noqa: F401
    HAVE_BASICSR = True
except Exception:  # noqa: BLE001
    HAVE_BASICSR = False


def bgr2ycbcr_y(img):
    """bgr2ycbcr(img, y_only=True) for float32 [0, 1] input."""
    out = np.dot(img, [24.966, 128.553, 65.481]) + 16.0
    out /= 255.
    return out.astype(np.float32)


def to_y_channel(img):
    img = img.astype(np.float32) / 255.
    if img.ndim == 3 and img.shape[2] == 3:
        img = bgr2ycbcr_y(img)[..., None]
    return img * 255.


def _ssim(img, img2):
    c1 = (0.01 * 255)**2
    c2 = (0.03 * 255)**2
    kernel = cv2.getGaussianKernel(11, 1.5)
    window = np.outer(kernel, kernel.transpose())
    mu1 = cv2.filter2D(img, -1, window)[5:-5, 5:-5]
    mu2 = cv2.filter2D(img2, -1, window)[5:-5, 5:-5]
    mu1_sq = mu1**2
    mu2_sq = mu2**2
    mu1_mu2 = mu1 * mu2
    sigma1_sq = cv2.filter2D(img**2, -1, window)[5:-5, 5:-5] - mu1_sq
    sigma2_sq = cv2.filter2D(img2**2, -1, window)[5:-5, 5:-5] - mu2_sq
    sigma12 = cv2.filter2D(img * img2, -1, window)[5:-5, 5:-5] - mu1_mu2
    ssim_map = ((2 * mu1_mu2 + c1) * (2 * sigma12 + c2)) / ((mu1_sq + mu2_sq + c1) * (sigma1_sq + sigma2_sq + c2))
    return ssim_map.mean()


if not HAVE_BASICSR:

    def calculate_psnr(img, img2, crop_border, input_order='HWC', test_y_channel=False, **kwargs):
        assert img.shape == img2.shape
        if crop_border != 0:
            img = img[crop_border:-crop_border, crop_border:-crop_border, ...]
            img2 = img2[crop_border:-crop_border, crop_border:-crop_border, ...]
        if test_y_channel:
            img = to_y_channel(img)
            img2 = to_y_channel(img2)
        img = img.astype(np.float64)
        img2 = img2.astype(np.float64)
        mse = np.mean((img - img2)**2)
        if mse == 0:
            return float('inf')
        return 10. * np.log10(255. * 255. / mse)

    def calculate_ssim(img, img2, crop_border, input_order='HWC', test_y_channel=False, **kwargs):
        assert img.shape == img2.shape
        if img.ndim == 2:
            img, img2 = img[..., None], img2[..., None]
        if crop_border != 0:
            img = img[crop_border:-crop_border, crop_border:-crop_border, ...]
            img2 = img2[crop_border:-crop_border, crop_border:-crop_border, ...]
        if test_y_channel:
            img = to_y_channel(img)
            img2 = to_y_channel(img2)
        img = img.astype(np.float64)
        img2 = img2.astype(np.float64)
        return np.array([_ssim(img[..., i], img2[..., i]) for i in range(img.shape[2])]).mean()

    def _cubic(x):
        import torch
        absx = torch.abs(x)
        absx2 = absx**2
        absx3 = absx**3
        return (1.5 * absx3 - 2.5 * absx2 + 1) * ((absx <= 1).type_as(absx)) + (
            -0.5 * absx3 + 2.5 * absx2 - 4 * absx + 2) * (((absx > 1) * (absx <= 2)).type_as(absx))

    def _weights_indices(in_length, out_length, scale, kernel_width, antialiasing):
        import torch
        if (scale < 1) and antialiasing:
            kernel_width = kernel_width / scale
        x = torch.linspace(1, out_length, out_length)
        u = x / scale + 0.5 * (1 - 1 / scale)
        left = torch.floor(u - kernel_width / 2)
        p = math.ceil(kernel_width) + 2
        indices = left.view(out_length, 1).expand(out_length, p) + torch.linspace(0, p - 1, p).view(1, p).expand(
            out_length, p)
        distance_to_center = u.view(out_length, 1).expand(out_length, p) - indices
        if (scale < 1) and antialiasing:
            weights = scale * _cubic(distance_to_center * scale)
        else:
            weights = _cubic(distance_to_center)
        weights_sum = torch.sum(weights, 1).view(out_length, 1)
        weights = weights / weights_sum.expand(out_length, p)
        weights_zero_tmp = torch.sum((weights == 0), 0)
        if not math.isclose(weights_zero_tmp[0], 0, rel_tol=1e-6):
            indices = indices.narrow(1, 1, p - 2)
            weights = weights.narrow(1, 1, p - 2)
        if not math.isclose(weights_zero_tmp[-1], 0, rel_tol=1e-6):
            indices = indices.narrow(1, 0, p - 2)
            weights = weights.narrow(1, 0, p - 2)
        weights = weights.contiguous()
        indices = indices.contiguous()
        sym_len_s = -indices.min() + 1
        sym_len_e = indices.max() - in_length
        indices = indices + sym_len_s - 1
        return weights, indices, int(sym_len_s), int(sym_len_e)

    def imresize(img, scale, antialiasing=True):
        """BasicSR's MATLAB-style bicubic imresize of an HxW numpy array in [0, 1] (float32 torch)."""
        import torch
        img = torch.from_numpy(img[None]).float()
        in_c, in_h, in_w = img.size()
        out_h, out_w = math.ceil(in_h * scale), math.ceil(in_w * scale)
        wh, ih, hs, he = _weights_indices(in_h, out_h, scale, 4, antialiasing)
        ww, iw, ws, we = _weights_indices(in_w, out_w, scale, 4, antialiasing)
        aug = torch.FloatTensor(in_c, in_h + hs + he, in_w)
        aug.narrow(1, hs, in_h).copy_(img)
        sp = img[:, :hs, :]
        aug.narrow(1, 0, hs).copy_(sp.index_select(1, torch.arange(sp.size(1) - 1, -1, -1).long()))
        sp = img[:, -he:, :]
        aug.narrow(1, hs + in_h, he).copy_(sp.index_select(1, torch.arange(sp.size(1) - 1, -1, -1).long()))
        out_1 = torch.FloatTensor(in_c, out_h, in_w)
        kw = wh.size(1)
        for i in range(out_h):
            idx = int(ih[i][0])
            for j in range(in_c):
                out_1[j, i, :] = aug[j, idx:idx + kw, :].transpose(0, 1).mv(wh[i])
        aug2 = torch.FloatTensor(in_c, out_h, in_w + ws + we)
        aug2.narrow(2, ws, in_w).copy_(out_1)
        sp = out_1[:, :, :ws]
        aug2.narrow(2, 0, ws).copy_(sp.index_select(2, torch.arange(sp.size(2) - 1, -1, -1).long()))
        sp = out_1[:, :, -we:]
        aug2.narrow(2, ws + in_w, we).copy_(sp.index_select(2, torch.arange(sp.size(2) - 1, -1, -1).long()))
        out_2 = torch.FloatTensor(in_c, out_h, out_w)
        kw = ww.size(1)
        for i in range(out_w):
            idx = int(iw[i][0])
            for j in range(in_c):
                out_2[j, :, i] = aug2[j, :, idx:idx + kw].mv(ww[i])
        return out_2[0].numpy()


def estimate_aggd_param(block):
    block = block.flatten()
    gam = np.arange(0.2, 10.001, 0.001)
    gam_reciprocal = np.reciprocal(gam)
    r_gam = np.square(gamma(gam_reciprocal * 2)) / (gamma(gam_reciprocal) * gamma(gam_reciprocal * 3))
    left_std = np.sqrt(np.mean(block[block < 0]**2))
    right_std = np.sqrt(np.mean(block[block > 0]**2))
    gammahat = left_std / right_std
    rhat = (np.mean(np.abs(block)))**2 / np.mean(block**2)
    rhatnorm = (rhat * (gammahat**3 + 1) * (gammahat + 1)) / ((gammahat**2 + 1)**2)
    array_position = np.argmin((r_gam - rhatnorm)**2)
    alpha = gam[array_position]
    beta_l = left_std * np.sqrt(gamma(1 / alpha) / gamma(3 / alpha))
    beta_r = right_std * np.sqrt(gamma(1 / alpha) / gamma(3 / alpha))
    return (alpha, beta_l, beta_r)


def compute_feature(block):
    feat = []
    alpha, beta_l, beta_r = estimate_aggd_param(block)
    feat.extend([alpha, (beta_l + beta_r) / 2])
    for shift in [[0, 1], [1, 0], [1, 1], [1, -1]]:
        shifted_block = np.roll(block, shift, axis=(0, 1))
        alpha, beta_l, beta_r = estimate_aggd_param(block * shifted_block)
        mean = (beta_r - beta_l) * (gamma(2 / alpha) / gamma(1 / alpha))
        feat.extend([alpha, mean, beta_l, beta_r])
    return feat


def niqe(img, mu_pris_param, cov_pris_param, gaussian_window, block_size_h=96, block_size_w=96):
    h, w = img.shape
    num_block_h = math.floor(h / block_size_h)
    num_block_w = math.floor(w / block_size_w)
    img = img[0:num_block_h * block_size_h, 0:num_block_w * block_size_w]
    distparam = []
    for scale in (1, 2):
        mu = convolve(img, gaussian_window, mode='nearest')
        sigma = np.sqrt(np.abs(convolve(np.square(img), gaussian_window, mode='nearest') - np.square(mu)))
        img_nomalized = (img - mu) / (sigma + 1)
        feat = []
        for idx_w in range(num_block_w):
            for idx_h in range(num_block_h):
                block = img_nomalized[idx_h * block_size_h // scale:(idx_h + 1) * block_size_h // scale,
                                      idx_w * block_size_w // scale:(idx_w + 1) * block_size_w // scale]
                feat.append(compute_feature(block))
        distparam.append(np.array(feat))
        if scale == 1:
            img = imresize(img / 255., scale=0.5, antialiasing=True)
            img = img * 255.
    distparam = np.concatenate(distparam, axis=1)
    mu_distparam = np.nanmean(distparam, axis=0)
    distparam_no_nan = distparam[~np.isnan(distparam).any(axis=1)]
    cov_distparam = np.cov(distparam_no_nan, rowvar=False)
    invcov_param = np.linalg.pinv((cov_pris_param + cov_distparam) / 2)
    quality = np.matmul(
        np.matmul((mu_pris_param - mu_distparam), invcov_param), np.transpose((mu_pris_param - mu_distparam)))
    return float(np.squeeze(np.sqrt(quality)))


def calculate_niqe(img, params_npz, crop_border=0, convert_to='y'):
    """calculate_niqe(img, crop_border, input_order='HWC', convert_to) on an HxWx3 BGR uint8 image."""
    p = np.load(params_npz)
    img = img.astype(np.float32)
    if convert_to == 'y':
        img = to_y_channel(img)
    elif convert_to == 'gray':
        img = cv2.cvtColor(img / 255., cv2.COLOR_BGR2GRAY) * 255.
    img = np.squeeze(img)
    if crop_border != 0:
        img = img[crop_border:-crop_border, crop_border:-crop_border]
    img = img.round()
    return niqe(img, p['mu_pris_param'], p['cov_pris_param'], p['gaussian_window'])
