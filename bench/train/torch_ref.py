"""PyTorch side of bench/train: the same MaskDCPT pre-training step (masked nafnet-small encoder, classifier,
NAFNet head, L1 + focal, one AdamW) as bench/train/worker.ts, written independently (bench/archs/torch_models.py).

  /usr/bin/python3 bench/train/torch_ref.py static <threads> <steps> <warmup> [batch] [size]
  /usr/bin/python3 bench/train/torch_ref.py check <threads> <dir>

Prints one JSON line.
"""
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'archs'))
import torch_models as M  # noqa: E402

mode, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(0)
CLASSES = 19
PATCH = 16
model = M.MaskDCPTNAFNet(M.build('nafnet-small'), CLASSES, 1.0, 2.0, PATCH)
params = sum(p.numel() for p in model.parameters())


def median(xs):
    return sorted(xs)[len(xs) // 2]


if mode == 'static':
    steps, warmup = int(sys.argv[3]), int(sys.argv[4])
    B = int(sys.argv[5]) if len(sys.argv) > 5 else 8
    S = int(sys.argv[6]) if len(sys.argv) > 6 else 128
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.99), weight_decay=0)
    batches = []
    for _ in range(4):
        gt = torch.rand(B, 3, S, S)
        batches.append(((gt + torch.randn_like(gt) * (25 / 255)).clamp(0, 1), gt, torch.randint(0, CLASSES, (B,))))
    total, fwd, bwd, stp, cpu, losses = [], [], [], [], [], []
    for i in range(warmup + steps):
        lq, gt, labels = batches[i % 4]
        c0 = time.process_time()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        mask = M.random_mask(B, S // PATCH, S // PATCH, 0.5)
        loss, l1, focal, logits = model(lq, gt, labels, mask)
        l1.item()
        focal.item()
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        losses.append(loss.item())
        t3 = time.perf_counter()
        if i >= warmup:
            total.append((t3 - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            fwd.append((t1 - t0) * 1000)
            bwd.append((t2 - t1) * 1000)
            stp.append((t3 - t2) * 1000)
    print(json.dumps({'median_ms': median(total), 'times': total, 'cpu_ms': median(cpu), 'fwd_ms': median(fwd),
                      'bwd_ms': median(bwd), 'opt_ms': median(stp),
                      'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'params': params,
                      'loss_first': losses[0], 'loss_last': losses[-1]}))
elif mode == 'check':
    d = sys.argv[3]
    model.load_state_dict(M.read_safetensors(os.path.join(d, 'weights.safetensors')), strict=True)
    io = M.read_safetensors(os.path.join(d, 'io.safetensors'))
    model.train()
    loss, l1, focal, logits = model(io['lq'], io['gt'], io['labels'].long(), io['mask'])
    loss.backward()
    grad_abs, grad_rel, n = 0.0, 0.0, 0
    for name, p in model.named_parameters():
        ours = io.get('grad.' + name)
        if ours is None or p.grad is None:
            continue
        n += 1
        d_ = (p.grad - ours).abs().max().item()
        grad_abs = max(grad_abs, d_)
        grad_rel = max(grad_rel, d_ / max(p.grad.abs().max().item(), 1e-12))
    print(json.dumps({'loss_diff': abs(loss.item() - io['loss'].item()), 'loss': loss.item(),
                      'l1_diff': abs(l1.item() - io['l1'].item()), 'focal_diff': abs(focal.item() - io['focal'].item()),
                      'logits_max_abs': (logits.detach() - io['logits']).abs().max().item(), 'grads': n,
                      'grad_max_abs': grad_abs, 'grad_max_rel': grad_rel, 'params': params}))
else:
    raise SystemExit(f'unknown mode {mode}')
