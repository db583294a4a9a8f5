"""PyTorch side of bench/archs: the same presets (torch_models.py), the same protocol as worker.ts.

  /usr/bin/python3 bench/archs/torch_ref.py <preset> <infer|train> <threads> <steps> <warmup>
  /usr/bin/python3 bench/archs/torch_ref.py <preset> check <threads> <dir>

check loads <dir>/weights.safetensors (written by worker.ts) with strict=True, reruns the forward and the L1
backward on <dir>/io.safetensors' input and target and prints the largest differences to our output, loss and
gradients. Prints one JSON line.
"""
import json
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models as M  # noqa: E402

preset, mode, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)
model = M.build(preset)
params = sum(p.numel() for p in model.parameters())


def median(xs):
    return sorted(xs)[len(xs) // 2]


def max_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if mode == 'infer':
    steps, warmup = int(sys.argv[4]), int(sys.argv[5])
    model.eval()
    x = torch.rand(1, 3, 256, 256)
    times, cpu = [], []
    with torch.no_grad():
        for i in range(warmup + steps):
            c0 = time.process_time()
            t0 = time.perf_counter()
            model(x).sum().item()
            if i >= warmup:
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
    print(json.dumps({'median_ms': median(times), 'times': times, 'cpu_ms': median(cpu), 'rss_mb': max_rss_mb(),
                      'params': params}))
elif mode == 'train':
    steps, warmup = int(sys.argv[4]), int(sys.argv[5])
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.99), weight_decay=0)
    batches = []
    for _ in range(4):
        gt = torch.rand(8, 3, 128, 128)
        batches.append(((gt + torch.randn_like(gt) * (25 / 255)).clamp(0, 1), gt))
    total, fwd, bwd, stp, cpu = [], [], [], [], []
    first = last = 0.0
    for i in range(warmup + steps):
        lq, gt = batches[i % 4]
        c0 = time.process_time()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.l1_loss(model(lq), gt)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        v = loss.item()
        t3 = time.perf_counter()
        first = v if i == 0 else first
        last = v
        if i >= warmup:
            total.append((t3 - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            fwd.append((t1 - t0) * 1000)
            bwd.append((t2 - t1) * 1000)
            stp.append((t3 - t2) * 1000)
    print(json.dumps({'median_ms': median(total), 'times': total, 'cpu_ms': median(cpu), 'fwd_ms': median(fwd), 'bwd_ms': median(bwd),
                      'opt_ms': median(stp), 'loss_first': first, 'loss_last': last, 'rss_mb': max_rss_mb(),
                      'params': params}))
elif mode == 'check':
    d = sys.argv[4]
    sd = M.read_safetensors(os.path.join(d, 'weights.safetensors'))
    model.load_state_dict(sd, strict=True)
    io = M.read_safetensors(os.path.join(d, 'io.safetensors'))
    model.eval()
    y = model(io['input'])
    loss = F.l1_loss(y, io['target'])
    loss.backward()
    out_diff = (y.detach() - io['output']).abs().max().item()
    grad_diff = 0.0
    grad_rel = 0.0
    n_grads = 0
    for name, p in model.named_parameters():
        ours = io.get('grad.' + name)
        if ours is None or p.grad is None:
            continue
        n_grads += 1
        d_ = (p.grad - ours).abs().max().item()
        grad_diff = max(grad_diff, d_)
        grad_rel = max(grad_rel, d_ / max(p.grad.abs().max().item(), 1e-12))
    print(json.dumps({'output_max_abs': out_diff, 'output_abs_max': io['output'].abs().max().item(),
                      'loss_diff': abs(loss.item() - io['loss'].item()), 'grads': n_grads,
                      'grad_max_abs': grad_diff, 'grad_max_rel': grad_rel, 'params': params}))
else:
    raise SystemExit(f'unknown mode {mode}')
