"""Where PyTorch's forward (or training step) time goes, per operator (torch.autograd.profiler, self CPU time).

  /usr/bin/python3 bench/archs/profile_torch.py <preset> [threads 2] [runs 3] [size 256] [batch 1] [train]

With `train` it profiles forward + L1 + backward + AdamW steps of the given batch (backward ops included).
"""
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models as M  # noqa: E402

args = sys.argv[1:] + [None] * 6
preset = args[0]
threads = int(args[1] or 2)
runs = int(args[2] or 3)
size = int(args[3] or 256)
batch = int(args[4] or 1)
train = args[5] == 'train'
torch.set_num_threads(threads)
torch.manual_seed(0)
model = M.build(preset)
x = torch.rand(batch, 3, size, size)

if train:
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.99), weight_decay=0)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.l1_loss(model(x), x)
        loss.backward()
        opt.step()
        loss.item()
else:
    model.eval()

    def step():
        with torch.no_grad():
            model(x).sum().item()

step()
t0 = time.perf_counter()
with torch.autograd.profiler.profile() as prof:
    for _ in range(runs):
        step()
total = (time.perf_counter() - t0) * 1000 / runs
print(f'{preset} {"train step" if train else "forward"} {batch}x3x{size}x{size}: {total:.1f} ms per run (profiled)')
print(prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=25))
