"""PyTorch reference for bench/engine: the same NAFNet-like net, step and timing protocol as naf.ts.
Run with Debian's /usr/bin/python3 (torch 1.13). Prints one JSON line."""
import json, resource, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

threads, steps, warmup, mode = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
torch.set_num_threads(threads)
torch.manual_seed(0)

class LN2d(nn.LayerNorm):
    def forward(self, x):
        return F.layer_norm(x.permute(0, 2, 3, 1), self.normalized_shape, self.weight, self.bias, self.eps).permute(0, 3, 1, 2)

class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.norm = LN2d(c)
        self.conv1 = nn.Conv2d(c, 2 * c, 1)
        self.dw = nn.Conv2d(2 * c, 2 * c, 3, padding=1, groups=2 * c)
        self.sca = nn.Conv2d(c, c, 1)
        self.conv3 = nn.Conv2d(c, c, 1)
    def forward(self, x):
        y = self.dw(self.conv1(self.norm(x)))
        a, b = y.chunk(2, dim=1)
        y = a * b
        y = y * self.sca(F.adaptive_avg_pool2d(y, 1))
        return x + self.conv3(y)

class Net(nn.Module):
    def __init__(self, c=32):
        super().__init__()
        self.intro = nn.Conv2d(3, c, 3, padding=1)
        self.blocks = nn.Sequential(*[Block(c) for _ in range(4)])
        self.ending = nn.Conv2d(c, 3, 3, padding=1)
    def forward(self, x):
        return x + self.ending(self.blocks(self.intro(x)))

def rss_mb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS'):
                return int(line.split()[1]) / 1024

net = Net()
times = []
if mode == 'train':
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
    x = torch.rand(8, 3, 64, 64)
    y = torch.rand(8, 3, 64, 64)
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        loss = F.l1_loss(net(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss.item()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
else:
    x = torch.rand(1, 3, 256, 256)
    with torch.no_grad():
        for i in range(warmup + steps):
            t0 = time.perf_counter()
            out = net(x)
            out.sum().item()
            if i >= warmup:
                times.append((time.perf_counter() - t0) * 1000)
times.sort()
print(json.dumps({"median_ms": times[len(times) // 2], "rss_mb": rss_mb()}))
