"""Writes test/fixtures/engine/ops.json: forward values and gradients of PyTorch ops on small seeded inputs,
the oracle for test/tensor/ops.test.ts. Run with Debian's PyTorch: /usr/bin/python3 tools/make-engine-fixtures.py

Each case: inputs (values), output, and the gradient of sum(output * cotangent) with respect to every
floating-point input. Cases are matched by name with the TS side."""
import json, math, os
import torch
import torch.nn.functional as F

torch.set_num_threads(1)
g = torch.Generator().manual_seed(20261129)

def rnd(*shape, lo=-1.0, hi=1.0):
    return (torch.rand(*shape, generator=g, dtype=torch.float32) * (hi - lo) + lo)

def pos(*shape):
    return rnd(*shape, lo=0.2, hi=2.0)

def focal(logits, labels, gamma):
    logp = F.log_softmax(logits, 1)
    logpt = logp.gather(1, labels.unsqueeze(1)).squeeze(1)
    pt = logpt.exp()
    return (-(1 - pt) ** gamma * logpt).mean()

labels4 = torch.tensor([0, 2, 1, 4])
idx3 = torch.tensor([2, 0, 1])
CASES = {
    'add_broadcast': ([rnd(2, 3, 4), rnd(3, 1)], lambda a, b: a + b),
    'sub_alpha': ([rnd(2, 3), rnd(2, 3)], lambda a, b: torch.sub(a, b, alpha=2.5)),
    'mul_broadcast': ([rnd(2, 1, 4), rnd(3, 4)], lambda a, b: a * b),
    'div': ([rnd(3, 4), pos(3, 4)], lambda a, b: a / b),
    'pow_scalar': ([pos(3, 4)], lambda a: a ** 2.5),
    'pow_tensor': ([pos(3, 4), rnd(3, 4)], lambda a, b: a ** b),
    'exp_log_sqrt': ([pos(5)], lambda a: a.exp() + a.log() + a.sqrt() + a.rsqrt()),
    'tanh_sigmoid': ([rnd(6)], lambda a: a.tanh() * a.sigmoid()),
    'relu': ([rnd(8)], lambda a: F.relu(a)),
    'gelu': ([rnd(8, lo=-3, hi=3)], lambda a: F.gelu(a)),
    'gelu_tanh': ([rnd(8, lo=-3, hi=3)], lambda a: F.gelu(a, approximate='tanh')),
    'leaky_relu_silu': ([rnd(8)], lambda a: F.leaky_relu(a, 0.2) + F.silu(a)),
    'clamp': ([rnd(10, lo=-2, hi=2)], lambda a: a.clamp(-0.5, 0.7)),
    'softmax': ([rnd(3, 5)], lambda a: F.softmax(a, -1)),
    'log_softmax': ([rnd(3, 5)], lambda a: F.log_softmax(a, 1)),
    'sum_dims': ([rnd(2, 3, 4)], lambda a: a.sum(dim=(0, 2))),
    'mean_keepdim': ([rnd(2, 3, 4)], lambda a: a.mean(dim=1, keepdim=True)),
    'var_unbiased': ([rnd(3, 6)], lambda a: a.var(dim=1)),
    'var_population': ([rnd(3, 6)], lambda a: a.var(dim=1, unbiased=False, keepdim=True)),
    'amax': ([rnd(3, 6)], lambda a: a.amax(dim=1)),
    'norm': ([rnd(3, 6)], lambda a: torch.linalg.vector_norm(a, 2, dim=1)),
    'logsumexp': ([rnd(3, 6)], lambda a: a.logsumexp(dim=1)),
    'matmul': ([rnd(2, 3, 4), rnd(4, 5)], lambda a, b: a @ b),
    'bmm': ([rnd(2, 3, 4), rnd(2, 4, 2)], lambda a, b: torch.bmm(a, b)),
    'linear': ([rnd(4, 6), rnd(3, 6), rnd(3)], lambda x, w, b: F.linear(x, w, b)),
    'conv2d': ([rnd(2, 3, 7, 6), rnd(4, 3, 3, 3), rnd(4)], lambda x, w, b: F.conv2d(x, w, b, padding=1)),
    'conv2d_stride_dilation': ([rnd(1, 2, 9, 9), rnd(3, 2, 3, 3)], lambda x, w: F.conv2d(x, w, None, stride=2, padding=2, dilation=2)),
    'conv2d_depthwise': ([rnd(1, 4, 6, 6), rnd(4, 1, 3, 3), rnd(4)], lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=4)),
    'conv2d_groups': ([rnd(1, 4, 5, 5), rnd(6, 2, 1, 1)], lambda x, w: F.conv2d(x, w, None, groups=2)),
    'conv_transpose2d': ([rnd(1, 3, 4, 4), rnd(3, 2, 2, 2), rnd(2)], lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2)),
    'layer_norm': ([rnd(2, 3, 5), rnd(5), rnd(5)], lambda x, w, b: F.layer_norm(x, (5,), w, b, 1e-5)),
    'layer_norm_2d_channels': ([rnd(2, 4, 3, 3), rnd(4), rnd(4)], lambda x, w, b: F.layer_norm(x.permute(0, 2, 3, 1), (4,), w, b, 1e-6).permute(0, 3, 1, 2)),
    'group_norm': ([rnd(2, 4, 3, 3), rnd(4), rnd(4)], lambda x, w, b: F.group_norm(x, 2, w, b, 1e-5)),
    'pixel_shuffle': ([rnd(1, 8, 2, 3)], lambda x: F.pixel_shuffle(x, 2)),
    'pixel_unshuffle': ([rnd(1, 2, 4, 6)], lambda x: F.pixel_unshuffle(x, 2)),
    'adaptive_avg_pool2d': ([rnd(2, 3, 5, 7)], lambda x: F.adaptive_avg_pool2d(x, (2, 3))),
    'avg_pool2d': ([rnd(1, 2, 6, 6)], lambda x: F.avg_pool2d(x, 2)),
    'max_pool2d': ([rnd(1, 2, 6, 6)], lambda x: F.max_pool2d(x, 3, stride=2, padding=1)),
    'interp_nearest': ([rnd(1, 2, 3, 4)], lambda x: F.interpolate(x, scale_factor=2, mode='nearest')),
    'interp_bilinear': ([rnd(1, 2, 3, 4)], lambda x: F.interpolate(x, size=(5, 7), mode='bilinear', align_corners=False)),
    'interp_bilinear_ac': ([rnd(1, 2, 3, 4)], lambda x: F.interpolate(x, size=(5, 7), mode='bilinear', align_corners=True)),
    'interp_bicubic': ([rnd(1, 1, 4, 4)], lambda x: F.interpolate(x, scale_factor=2, mode='bicubic', align_corners=False)),
    'pad_reflect': ([rnd(1, 2, 4, 5)], lambda x: F.pad(x, (1, 2, 2, 1), mode='reflect')),
    'pad_replicate': ([rnd(1, 2, 4, 5)], lambda x: F.pad(x, (1, 2, 2, 1), mode='replicate')),
    'pad_constant': ([rnd(1, 2, 4, 5)], lambda x: F.pad(x, (1, 2, 0, 3), mode='constant', value=0.5)),
    'pad_circular': ([rnd(1, 2, 4, 5)], lambda x: F.pad(x, (1, 1, 2, 2), mode='circular')),
    'normalize': ([rnd(3, 4)], lambda x: F.normalize(x, dim=1)),
    'roll': ([rnd(2, 5, 4)], lambda x: torch.roll(x, shifts=(2, -1), dims=(1, 2))),
    'unfold': ([rnd(1, 2, 5, 5)], lambda x: F.unfold(x, 3, padding=1, stride=2)),
    'fold': ([rnd(1, 8, 4)], lambda x: F.fold(x, (3, 3), 2)),
    'permute_reshape': ([rnd(2, 3, 4)], lambda x: x.permute(2, 0, 1).reshape(4, 6) * 2),
    'chunk_cat': ([rnd(2, 6)], lambda x: torch.cat([x.chunk(3, 1)[2], x.chunk(3, 1)[0]], 0)),
    'stack_transpose': ([rnd(2, 3), rnd(2, 3)], lambda a, b: torch.stack([a, b.t().t()], 1).transpose(0, 2)),
    'expand_repeat': ([rnd(1, 3)], lambda x: x.expand(2, 3) + x.repeat(2, 1)),
    'narrow_slice_select': ([rnd(4, 6)], lambda x: x.narrow(0, 1, 2)[:, 1:5:2] + x.select(0, 3)[1:5:2]),
    'index_select_gather': ([rnd(4, 3)], lambda x: x.index_select(0, idx3) + x.gather(1, torch.tensor([[0, 2, 1]] * 4)[:3])),
    'masked_fill_where': ([rnd(3, 4), rnd(3, 4)], lambda a, b: torch.where(a > 0, a, b).masked_fill(b > 0.5, 0.25)),
    'flip_repeat_interleave': ([rnd(2, 3)], lambda x: x.flip([1]).repeat_interleave(2, 0)),
    'l1_loss': ([rnd(2, 3, 4), rnd(2, 3, 4)], lambda a, b: F.l1_loss(a, b)),
    'mse_loss_sum': ([rnd(2, 3, 4), rnd(2, 3, 4)], lambda a, b: F.mse_loss(a, b, reduction='sum')),
    'cross_entropy': ([rnd(4, 5)], lambda a: F.cross_entropy(a, labels4)),
    'cross_entropy_smooth': ([rnd(4, 5)], lambda a: F.cross_entropy(a, labels4, label_smoothing=0.1)),
    'bce_logits': ([rnd(4, 3), rnd(4, 3, lo=0, hi=1)], lambda a, b: F.binary_cross_entropy_with_logits(a, b)),
    'charbonnier': ([rnd(2, 8), rnd(2, 8)], lambda a, b: torch.sqrt((a - b) ** 2 + 1e-3 ** 2).mean()),
    'focal_gamma2': ([rnd(4, 5)], lambda a: focal(a, labels4, 2.0)),
}

def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]

out = {'torch': torch.__version__, 'cases': {}}
for name, (inputs, fn) in CASES.items():
    xs = [x.clone().requires_grad_(x.is_floating_point()) for x in inputs]
    y = fn(*xs)
    cot = rnd(*y.shape) if y.dim() > 0 else torch.tensor(1.0)
    (y * cot).sum().backward()
    out['cases'][name] = {
        'inputs': [{'shape': list(x.shape), 'data': flat(x)} for x in xs],
        'output': {'shape': list(y.shape), 'data': flat(y)},
        'cotangent': flat(cot),
        'grads': [flat(x.grad) if x.grad is not None else None for x in xs],
    }

# AdamW / Adam trajectories on a fixed least-squares problem (1.13's default single-tensor implementation).
def trajectory(kind, **kw):
    gen = torch.Generator().manual_seed(7)
    w0 = torch.rand(3, 4, generator=gen) - 0.5
    b0 = torch.rand(3, generator=gen) - 0.5
    X = torch.rand(16, 4, generator=gen)
    Y = torch.rand(16, 3, generator=gen)
    w, b = w0.clone().requires_grad_(), b0.clone().requires_grad_()
    opt = (torch.optim.AdamW if kind == 'adamw' else torch.optim.Adam)([w, b], **kw)
    losses = []
    for _ in range(6):
        opt.zero_grad()
        loss = ((X @ w.t() + b - Y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    return {'w0': flat(w0), 'b0': flat(b0), 'X': flat(X), 'Y': flat(Y), 'options': kw,
            'w': flat(w), 'b': flat(b), 'losses': losses}

out['optim'] = {
    'adamw': trajectory('adamw', lr=0.05, betas=(0.9, 0.99), weight_decay=0.1),
    'adam_l2': trajectory('adam', lr=0.02, weight_decay=0.05),
}

# Default initialisation after manual_seed: Conv2d(3, 8, 3) then Linear(5, 2), as nn modules draw it.
torch.manual_seed(1234)
conv = torch.nn.Conv2d(3, 8, 3)
lin = torch.nn.Linear(5, 2)
ln = torch.nn.LayerNorm(4)
out['init'] = {'seed': 1234, 'conv_weight': flat(conv.weight), 'conv_bias': flat(conv.bias),
               'linear_weight': flat(lin.weight), 'linear_bias': flat(lin.bias)}
torch.manual_seed(99)
out['randn'] = {'seed': 99, 'values': flat(torch.randn(6)), 'rand': flat(torch.rand(4))}

path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'engine', 'ops.json')
with open(path, 'w') as f:
    json.dump(out, f)
print('wrote', path, os.path.getsize(path), 'bytes,', len(out['cases']), 'cases')
