"""Independent PyTorch implementations of the backbones as MaskDCPT's fork shapes them, for the benchmarks.

Written from the architecture descriptions (shared/fixtures/README.md section 5, method.md section 1.7), not from
the official repository. Module attribute names are chosen so that state-dict keys equal ours (which equal the
official ones), so a safetensors file exported by the TypeScript side loads with strict=True.

Also here: MaskDCPT's masked NAFNet mode, the classification decoder (PromptIR_NoImg_DC), the focal loss and a
minimal safetensors reader/writer on numpy (Debian's python has no `safetensors` package).
Run with Debian's /usr/bin/python3 (torch 1.13).
"""
import json
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------- safetensors

_DT = {'F32': np.float32, 'F64': np.float64, 'I64': np.int64, 'I32': np.int32, 'U8': np.uint8}
_DT_BACK = {np.dtype(v): k for k, v in _DT.items()}


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n].decode('utf-8'))
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        a, b = e['data_offsets']
        arr = np.frombuffer(data[base + a: base + b], dtype=_DT[e['dtype']]).reshape(e['shape'])
        out[name] = torch.from_numpy(arr.copy())
    return out


def write_safetensors(path, tensors):
    header = {}
    chunks = []
    off = 0
    for name, t in tensors.items():
        a = t.detach().contiguous().numpy()
        b = a.tobytes()
        header[name] = {'dtype': _DT_BACK[a.dtype], 'shape': list(a.shape), 'data_offsets': [off, off + len(b)]}
        chunks.append(b)
        off += len(b)
    h = json.dumps(header).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)


# ---------------------------------------------------------------------------------------------- common pieces

class LayerNorm2d(nn.LayerNorm):
    """nn.LayerNorm over the channel axis of an NCHW map (permute to NHWC and back). With a mask (same H, W as x
    or a coarser grid that divides it) the result is zeroed at masked positions: per-pixel LN values at the
    visible ones, exact zeros elsewhere, as MaskDCPT's MaskLayerNorm2d."""

    def forward(self, x, mask=None):
        y = F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias, self.eps)
        y = y.permute(0, 3, 1, 2)
        return y if mask is None else mask_mul(y, mask)


def expand_mask(mask, h, w):
    """(B,1,h0,w0) 0/1 mask repeated up to (B,1,h,w) by integer factors (SparK-style)."""
    fy, fx = h // mask.shape[2], w // mask.shape[3]
    if fy > 1:
        mask = mask.repeat_interleave(fy, dim=2)
    if fx > 1:
        mask = mask.repeat_interleave(fx, dim=3)
    return mask


def mask_mul(x, mask):
    if mask is None:
        return x
    if mask.shape[2:] != x.shape[2:]:
        mask = expand_mask(mask, x.shape[2], x.shape[3])
    return x * mask


# ---------------------------------------------------------------------------------------------- NAFNet

def simple_gate(x):
    a, b = x.chunk(2, dim=1)
    return a * b


class NAFBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, 2 * c, 1)
        self.conv2 = nn.Conv2d(2 * c, 2 * c, 3, padding=1, groups=2 * c)
        self.conv3 = nn.Conv2d(c, c, 1)
        self.sca = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(c, c, 1))
        self.conv4 = nn.Conv2d(c, 2 * c, 1)
        self.conv5 = nn.Conv2d(c, c, 1)
        self.norm1 = LayerNorm2d(c)
        self.norm2 = LayerNorm2d(c)
        self.beta = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.gamma = nn.Parameter(torch.zeros(1, c, 1, 1))

    def forward(self, inp, mask=None):
        x = simple_gate(self.conv2(self.conv1(self.norm1(inp, mask))))
        x = x * self.sca(x)
        x = mask_mul(self.conv3(x), mask)
        y = inp + x * self.beta
        x = self.conv5(simple_gate(self.conv4(self.norm2(y, mask))))
        return y + x * self.gamma


class NAFBlocks(nn.Module):
    def __init__(self, c, n):
        super().__init__()
        self.blocks = nn.ModuleList([NAFBlock(c) for _ in range(n)])

    def forward(self, x, mask=None):
        for b in self.blocks:
            x = b(x, mask)
        return x


class NAFNet(nn.Module):
    """NAFNetBaseline. forward_features(x, mask) is the masked encoder of MaskNAFNetBaseline (mask at the patch
    grid, 1 = visible): input and intro output masked, masked LNs, conv3 re-masked; returns decoder outputs."""

    def __init__(self, width=32, enc=(1, 1, 1, 8), mid=1, dec=(1, 1, 1, 1), img=3):
        super().__init__()
        self.intro = nn.Conv2d(img, width, 3, padding=1)
        self.ending = nn.Conv2d(width, img, 3, padding=1)
        self.encoders = nn.ModuleList()
        self.downs = nn.ModuleList()
        self.ups = nn.ModuleList()
        c = width
        for n in enc:
            self.encoders.append(NAFBlocks(c, n))
            self.downs.append(nn.Conv2d(c, 2 * c, 2, stride=2))
            c *= 2
        self.middle_blks = NAFBlocks(c, mid)
        self.n_dec = len(dec)
        for i, n in enumerate(dec):
            self.ups.append(nn.Sequential(nn.Conv2d(c, 2 * c, 1, bias=False), nn.PixelShuffle(2)))
            c //= 2
            setattr(self, f'decoder{i}', NAFBlocks(c, n))

    def forward_features(self, x, mask=None):
        n = len(self.encoders)
        H, W = x.shape[2:]
        ms = [None if mask is None else expand_mask(mask, H >> i, W >> i) for i in range(n + 1)]
        x = self.intro(mask_mul(x, ms[0]))
        x = mask_mul(x, ms[0])
        skips = []
        for i, (enc, down) in enumerate(zip(self.encoders, self.downs)):
            x = enc(x, ms[i])
            skips.append(x)
            x = down(x)
        x = self.middle_blks(x, ms[n])
        feats = []
        for i, up in enumerate(self.ups):
            level = n - 1 - i
            x = getattr(self, f'decoder{i}')(up(x) + skips[level], ms[level])
            feats.append(x)
        return feats[::-1]  # finest first

    def forward(self, x):
        return self.ending(self.forward_features(x)[0]) + x


# ---------------------------------------------------------------------------------------------- Restormer / PromptIR

class Attention(nn.Module):
    """Transposed (channel) attention: q, k L2-normalised over H*W, softmax(q k^T * temperature) v per head."""

    def __init__(self, dim, heads, bias):
        super().__init__()
        self.heads = heads
        self.temperature = nn.Parameter(torch.ones(heads, 1, 1))
        self.qkv = nn.Conv2d(dim, dim * 3, 1, bias=bias)
        self.qkv_dwconv = nn.Conv2d(dim * 3, dim * 3, 3, padding=1, groups=dim * 3, bias=bias)
        self.project_out = nn.Conv2d(dim, dim, 1, bias=bias)

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = self.qkv_dwconv(self.qkv(x)).chunk(3, dim=1)
        q = F.normalize(q.reshape(b, self.heads, c // self.heads, h * w), dim=-1)
        k = F.normalize(k.reshape(b, self.heads, c // self.heads, h * w), dim=-1)
        v = v.reshape(b, self.heads, c // self.heads, h * w)
        attn = (q @ k.transpose(-2, -1)) * self.temperature
        out = attn.softmax(dim=-1) @ v
        return self.project_out(out.reshape(b, c, h, w))


class FeedForward(nn.Module):
    def __init__(self, dim, factor, bias):
        super().__init__()
        hidden = int(dim * factor)
        self.project_in = nn.Conv2d(dim, hidden * 2, 1, bias=bias)
        self.dwconv = nn.Conv2d(hidden * 2, hidden * 2, 3, padding=1, groups=hidden * 2, bias=bias)
        self.project_out = nn.Conv2d(hidden, dim, 1, bias=bias)

    def forward(self, x):
        x1, x2 = self.dwconv(self.project_in(x)).chunk(2, dim=1)
        return self.project_out(F.gelu(x1) * x2)


class TransformerBlock(nn.Module):
    def __init__(self, dim, heads, factor, bias):
        super().__init__()
        self.norm1 = LayerNorm2d(dim)
        self.attn = Attention(dim, heads, bias)
        self.norm2 = LayerNorm2d(dim)
        self.ffn = FeedForward(dim, factor, bias)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.ffn(self.norm2(x))


class Stage(nn.Module):
    def __init__(self, n, *args):
        super().__init__()
        self.blocks = nn.ModuleList([TransformerBlock(*args) for _ in range(n)])

    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        return x


class PatchEmbed(nn.Module):
    def __init__(self, cin, dim):
        super().__init__()
        self.proj = nn.Conv2d(cin, dim, 3, padding=1, bias=False)

    def forward(self, x):
        return self.proj(x)


class Downsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c // 2, 3, padding=1, bias=False)

    def forward(self, x):
        return F.pixel_unshuffle(self.conv(x), 2)


class Upsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c * 2, 3, padding=1, bias=False)

    def forward(self, x):
        return F.pixel_shuffle(self.conv(x), 2)


class Restormer(nn.Module):
    """The fork's Restormer: LN with bias everywhere, no bias inside attention/FFN whatever `bias` says."""

    def __init__(self, dim=24, blocks=(2, 2, 2, 2), refine=1, heads=(1, 2, 4, 8), ffn=2.66, bias=False):
        super().__init__()
        st = lambda c, lvl, n: Stage(n, c, heads[lvl], ffn, False)  # noqa: E731
        self.patch_embed = PatchEmbed(3, dim)
        self.encoder_level1 = st(dim, 0, blocks[0])
        self.down1_2 = Downsample(dim)
        self.encoder_level2 = st(dim * 2, 1, blocks[1])
        self.down2_3 = Downsample(dim * 2)
        self.encoder_level3 = st(dim * 4, 2, blocks[2])
        self.down3_4 = Downsample(dim * 4)
        self.latent = st(dim * 8, 3, blocks[3])
        self.up4_3 = Upsample(dim * 8)
        self.reduce_chan_level3 = nn.Conv2d(dim * 8, dim * 4, 1, bias=bias)
        self.decoder_level3 = st(dim * 4, 2, blocks[2])
        self.up3_2 = Upsample(dim * 4)
        self.reduce_chan_level2 = nn.Conv2d(dim * 4, dim * 2, 1, bias=bias)
        self.decoder_level2 = st(dim * 2, 1, blocks[1])
        self.up2_1 = Upsample(dim * 2)
        self.decoder_level1 = st(dim * 2, 0, blocks[0])
        self.refinement = st(dim * 2, 0, refine)
        self.output = nn.Conv2d(dim * 2, 3, 3, padding=1, bias=bias)

    def forward(self, inp):
        e1 = self.encoder_level1(self.patch_embed(inp))
        e2 = self.encoder_level2(self.down1_2(e1))
        e3 = self.encoder_level3(self.down2_3(e2))
        lat = self.latent(self.down3_4(e3))
        d3 = self.decoder_level3(self.reduce_chan_level3(torch.cat([self.up4_3(lat), e3], 1)))
        d2 = self.decoder_level2(self.reduce_chan_level2(torch.cat([self.up3_2(d3), e2], 1)))
        d1 = self.decoder_level1(torch.cat([self.up2_1(d2), e1], 1))
        return self.output(self.refinement(d1)) + inp


class PromptGenBlock(nn.Module):
    def __init__(self, pdim, plen, psize, lin):
        super().__init__()
        self.prompt_param = nn.Parameter(torch.rand(1, plen, pdim, psize, psize))
        self.linear_layer = nn.Linear(lin, plen)
        self.conv3x3 = nn.Conv2d(pdim, pdim, 3, padding=1, bias=False)

    def forward(self, x):
        b, _, h, w = x.shape
        _, plen, pdim, s, _ = self.prompt_param.shape
        wts = F.softmax(self.linear_layer(x.mean(dim=(-2, -1))), dim=1)  # (B, len)
        prompt = (wts @ self.prompt_param.reshape(plen, pdim * s * s)).view(b, pdim, s, s)
        prompt = F.interpolate(prompt, (h, w), mode='bilinear', align_corners=False)
        return self.conv3x3(prompt)


class PromptIR(nn.Module):
    """The fork's PromptIR (decoder=True); channel widths hard-wired for dim 48."""

    def __init__(self, dim=48, blocks=(1, 1, 1, 1), refine=1, heads=(1, 2, 4, 8), ffn=1.0, bias=True):
        super().__init__()
        assert dim == 48
        tb = lambda c, lvl: TransformerBlock(c, heads[lvl], ffn, bias)  # noqa: E731
        st = lambda c, lvl, n: Stage(n, c, heads[lvl], ffn, bias)  # noqa: E731
        self.patch_embed = PatchEmbed(3, dim)
        self.prompt1 = PromptGenBlock(64, 5, 64, 96)
        self.prompt2 = PromptGenBlock(128, 5, 32, 192)
        self.prompt3 = PromptGenBlock(320, 5, 16, 384)
        self.encoder_level1 = st(dim, 0, blocks[0])
        self.down1_2 = Downsample(dim)
        self.encoder_level2 = st(dim * 2, 1, blocks[1])
        self.down2_3 = Downsample(dim * 2)
        self.encoder_level3 = st(dim * 4, 2, blocks[2])
        self.down3_4 = Downsample(dim * 4)
        self.latent = st(dim * 8, 3, blocks[3])
        self.up4_3 = Upsample(dim * 4)
        self.reduce_chan_level3 = nn.Conv2d(dim * 2 + 192, dim * 4, 1, bias=bias)
        self.noise_level3 = tb(dim * 4 + 512, 2)
        self.reduce_noise_level3 = nn.Conv2d(dim * 4 + 512, dim * 4, 1, bias=bias)
        self.decoder_level3 = st(dim * 4, 2, blocks[2])
        self.up3_2 = Upsample(dim * 4)
        self.reduce_chan_level2 = nn.Conv2d(dim * 4, dim * 2, 1, bias=bias)
        self.noise_level2 = tb(dim * 2 + 224, 2)
        self.reduce_noise_level2 = nn.Conv2d(dim * 2 + 224, dim * 4, 1, bias=bias)
        self.decoder_level2 = st(dim * 2, 1, blocks[1])
        self.up2_1 = Upsample(dim * 2)
        self.noise_level1 = tb(dim * 2 + 64, 2)
        self.reduce_noise_level1 = nn.Conv2d(dim * 2 + 64, dim * 2, 1, bias=bias)
        self.decoder_level1 = st(dim * 2, 0, blocks[0])
        self.refinement = st(dim * 2, 0, refine)
        self.output = nn.Conv2d(dim * 2, 3, 3, padding=1, bias=bias)

    def forward(self, inp):
        e1 = self.encoder_level1(self.patch_embed(inp))
        e2 = self.encoder_level2(self.down1_2(e1))
        e3 = self.encoder_level3(self.down2_3(e2))
        lat = self.latent(self.down3_4(e3))
        lat = self.reduce_noise_level3(self.noise_level3(torch.cat([lat, self.prompt3(lat)], 1)))
        d3 = self.decoder_level3(self.reduce_chan_level3(torch.cat([self.up4_3(lat), e3], 1)))
        d3 = self.reduce_noise_level2(self.noise_level2(torch.cat([d3, self.prompt2(d3)], 1)))
        d2 = self.decoder_level2(self.reduce_chan_level2(torch.cat([self.up3_2(d3), e2], 1)))
        d2 = self.reduce_noise_level1(self.noise_level1(torch.cat([d2, self.prompt1(d2)], 1)))
        d1 = self.decoder_level1(torch.cat([self.up2_1(d2), e1], 1))
        return self.output(self.refinement(d1)) + inp


# ---------------------------------------------------------------------------------------------- SwinIR (the fork)

class WindowAttention(nn.Module):
    """Window MSA without relative position bias (the fork)."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        bw, n, c = x.shape
        qkv = self.qkv(x).reshape(bw, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(bw, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class SwinBlock(nn.Module):
    def __init__(self, dim, heads, ws, shift, mlp_ratio):
        super().__init__()
        self.ws, self.shift = ws, shift
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x, hw):
        h, w = hw
        b, l, c = x.shape
        ws, s = self.ws, self.shift
        t = self.norm1(x).view(b, h, w, c)
        if s:
            t = torch.roll(t, (-s, -s), (1, 2))
        t = t.view(b, h // ws, ws, w // ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(-1, ws * ws, c)
        t = self.attn(t)
        t = t.view(b, h // ws, w // ws, ws, ws, c).permute(0, 1, 3, 2, 4, 5).reshape(b, h, w, c)
        if s:
            t = torch.roll(t, (s, s), (1, 2))
        x = x + t.view(b, l, c)
        return x + self.mlp(self.norm2(x))


class BasicLayer(nn.Module):
    def __init__(self, dim, depth, heads, ws, mlp_ratio):
        super().__init__()
        self.blocks = nn.ModuleList([SwinBlock(dim, heads, ws, 0 if i % 2 == 0 else ws // 2, mlp_ratio)
                                     for i in range(depth)])

    def forward(self, x, hw):
        for b in self.blocks:
            x = b(x, hw)
        return x


class RSTB(nn.Module):
    def __init__(self, dim, depth, heads, ws, mlp_ratio):
        super().__init__()
        self.residual_group = BasicLayer(dim, depth, heads, ws, mlp_ratio)
        self.conv = nn.Conv2d(dim, dim, 3, padding=1)

    def forward(self, x, hw):
        b, _, c = x.shape
        y = self.residual_group(x, hw).transpose(1, 2).reshape(b, c, hw[0], hw[1])
        return x + self.conv(y).flatten(2).transpose(1, 2)


class SwinIR(nn.Module):
    """The fork's SwinIR, restoration variant (upscale 1, 1conv); img_size larger than the window (no shrink)."""

    def __init__(self, embed=60, depths=(2,) * 6, heads=(6,) * 6, ws=8, mlp_ratio=2.0):
        super().__init__()
        self.register_buffer('mean', torch.tensor([0.4488, 0.4371, 0.4040]).view(1, 3, 1, 1), persistent=False)
        self.conv_first = nn.Conv2d(3, embed, 3, padding=1)
        self.patch_embed = nn.Module()
        self.patch_embed.norm = nn.LayerNorm(embed)
        half = len(depths) // 2
        self.encode_layers = nn.ModuleList([RSTB(embed, depths[i], heads[i], ws, mlp_ratio) for i in range(half)])
        for i in range(half):
            setattr(self, f'decode_layers{i}', RSTB(embed, depths[i + half], heads[i + half], ws, mlp_ratio))
        self.half = half
        self.norm = nn.LayerNorm(embed)
        self.conv_after_body = nn.Conv2d(embed, embed, 3, padding=1)
        self.conv_last = nn.Conv2d(embed, 3, 3, padding=1)

    def forward(self, x):
        b, _, h, w = x.shape
        x = x - self.mean
        x_first = self.conv_first(x)
        t = self.patch_embed.norm(x_first.flatten(2).transpose(1, 2))
        layers = list(self.encode_layers) + [getattr(self, f'decode_layers{i}') for i in range(self.half)]
        for layer in layers:
            t = layer(t, (h, w))
        f = self.norm(t).transpose(1, 2).reshape(b, -1, h, w)
        return x + self.conv_last(self.conv_after_body(f) + x_first) + self.mean


# ---------------------------------------------------------------------------------------------- MaskDCPT pieces

class ConvNorm(nn.Conv2d):
    def __init__(self, cin, cout, k):
        super().__init__(cin, cout, k, padding=(k - 1) // 2, bias=False)
        self.norm = LayerNorm2d(cout, eps=1e-6)

    def forward(self, x):
        return self.norm(super().forward(x))


class Bottleneck(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = ConvNorm(c, 2 * c, 1)
        self.conv2 = ConvNorm(2 * c, 2 * c, 3)
        self.conv3 = ConvNorm(2 * c, c, 1)
        for conv in (self.conv1, self.conv2, self.conv3):  # Detectron2's c2_msra_fill
            nn.init.kaiming_normal_(conv.weight, mode='fan_out', nonlinearity='relu')

    def forward(self, x):
        r = self.conv3(F.relu(self.conv2(F.relu(self.conv1(x)))))
        return F.relu(r + x)


class Classifier(nn.Module):
    """PromptIR_NoImg_DC: multi-scale features, finest first -> logits."""

    def __init__(self, dims, nb=2, classes=19):
        super().__init__()
        self.bottleneck_layers = nn.ModuleList([nn.Sequential(*[Bottleneck(c) for _ in range(nb)]) for c in dims])
        self.downsample_layers = nn.ModuleList([
            nn.Sequential(nn.Conv2d(c, dims[i + 1] if i + 1 < len(dims) else c, 1, bias=False),
                          nn.MaxPool2d(2, 2), nn.ReLU())
            for i, c in enumerate(dims)])
        self.last_stage = nn.Sequential(*[Bottleneck(dims[-1]) for _ in range(nb)])
        self.mixing_weights = nn.Parameter(torch.ones(len(dims)))
        self.fc = nn.Linear(dims[-1], classes)

    def forward(self, feats):
        w = F.softmax(self.mixing_weights, dim=0)
        f = 0
        for i, x in enumerate(feats):
            f = self.downsample_layers[i](self.bottleneck_layers[i](f + x * w[i]))
        return self.fc(self.last_stage(f).mean(dim=(2, 3)))


def focal_loss(logits, labels, gamma=2.0):
    logpt = F.log_softmax(logits, dim=1).gather(1, labels.unsqueeze(1)).squeeze(1)
    return (-(1 - logpt.exp()) ** gamma * logpt).mean()


class MaskDCPTNAFNet(nn.Module):
    """Masked NAFNet encoder + classifier + NAFNet's own head: L1(ending(last) + lq*mask, gt) + lam*focal."""

    def __init__(self, backbone, classes=19, lam=1.0, gamma=2.0, patch=16):
        super().__init__()
        self.backbone = backbone
        dims = [backbone.intro.out_channels * 2 ** i for i in range(len(backbone.encoders))]
        self.classifier = Classifier(dims, 2, classes)
        self.lam, self.gamma, self.patch = lam, gamma, patch

    def forward(self, lq, gt, labels, mask):
        pix = expand_mask(mask, lq.shape[2], lq.shape[3])
        feats = self.backbone.forward_features(lq, mask)
        logits = self.classifier(feats)
        focal = focal_loss(logits, labels, self.gamma)
        l1 = F.l1_loss(self.backbone.ending(feats[0]) + lq * pix, gt)
        return l1 + self.lam * focal, l1, focal, logits


def random_mask(b, h, w, ratio=0.5):
    keep = round(h * w * (1 - ratio))
    idx = torch.rand(b, h * w).argsort(dim=1)[:, :keep]
    m = torch.zeros(b, h * w)
    m.scatter_(1, idx, 1.0)
    return m.view(b, 1, h, w)


# ---------------------------------------------------------------------------------------------- registry

def build(name):
    """The benchmark presets, named as the TypeScript registry names them (see bench/archs/presets.ts)."""
    if name == 'nafnet-small':
        return NAFNet(32, (1, 1, 1, 8), 1, (1, 1, 1, 1))
    if name == 'restormer-small':
        return Restormer(24, (2, 2, 2, 2), 1, (1, 2, 4, 8), 2.66, False)
    if name == 'promptir-small':
        return PromptIR(48, (1, 1, 1, 1), 1, (1, 2, 4, 8), 1.0, True)
    if name == 'swinir-small':
        return SwinIR(60, (2,) * 6, (6,) * 6, 8, 2.0)
    raise ValueError(f'unknown model {name}')
