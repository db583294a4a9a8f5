"""An .onnx model made by PyTorch's own exporter from our weights: an independent oracle for the ONNX runtime
tests and the stand-in model of bench/onnx (the same weights run by libtorch, onnxruntime and PyTorch).

  /usr/bin/python3 tools/torch_onnx.py --arch nafnet-tiny [--weights ours.safetensors] --out model.onnx
        [--labels K] [--probe image.png]

--weights: a state dict written by our `writeWeights`/`saveModel` (names match bench/archs/torch_models.py);
random (seed 0) when absent. --labels K adds a toy classifier head (global mean of the finest decoder
features -> Linear(K), seed 1) as a second output `logits`, with the first K labels of src/degrade/labels.json
in the metadata, so diagnose through ONNX can be tested. --probe prints, as one JSON line, the softmax of the
logits for a PNG (whole image, reflect-padded bottom/right to 16) computed by PyTorch.

Metadata (src/onnx/metadata.ts, the keys `maskdcpt export` writes): arch, model, size_multiple, labels. torch 1.13 exports
without the `onnx` package but cannot write metadata_props, so the entries are appended as ModelProto field 14
(a protobuf message may be extended by appending fields).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'bench', 'archs'))
import torch_models as M  # noqa: E402

ARCHS = {
    'nafnet-tiny': lambda: M.NAFNet(8, (1, 1, 1, 1), 1, (1, 1, 1, 1)),
    'nafnet-small': lambda: M.build('nafnet-small'),
}


class WithLogits(torch.nn.Module):
    def __init__(self, net, k):
        super().__init__()
        self.net = net
        torch.manual_seed(1)
        self.fc = torch.nn.Linear(net.intro.out_channels, k)

    def forward(self, x):
        feats = self.net.forward_features(x)
        return self.net.ending(feats[0]) + x, self.fc(feats[0].mean(dim=(2, 3)))


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, payload):
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def metadata_entry(key, value):
    return field(14, field(1, key.encode()) + field(2, value.encode()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--arch', required=True, choices=sorted(ARCHS))
    ap.add_argument('--weights')
    ap.add_argument('--out', required=True)
    ap.add_argument('--labels', type=int, default=0)
    ap.add_argument('--probe')
    a = ap.parse_args()
    torch.manual_seed(0)
    net = ARCHS[a.arch]().eval()
    if a.weights:
        net.load_state_dict(M.read_safetensors(a.weights), strict=True)
    model = WithLogits(net, a.labels).eval() if a.labels else net
    names = ['output', 'logits'] if a.labels else ['output']
    dyn = {n: {2: 'height', 3: 'width'} for n in ['input', 'output']}
    tmp = a.out + '.tmp'
    with torch.no_grad():
        torch.onnx.export(model, torch.rand(1, 3, 64, 64), tmp, input_names=['input'], output_names=names,
                          dynamic_axes=dyn, opset_version=13)
    meta = {'producer': 'tools/torch_onnx.py', 'arch': 'nafnet', 'model': a.arch, 'size_multiple': '16'}
    if a.labels:
        with open(os.path.join(HERE, '..', 'src', 'degrade', 'labels.json')) as f:
            labels = json.load(f)
        meta['labels'] = json.dumps([l['name'] for l in labels][:a.labels])
    with open(tmp, 'ab') as f:
        for k, v in meta.items():
            f.write(metadata_entry(k, v))
    os.replace(tmp, a.out)
    if a.probe:
        from PIL import Image
        x = np.asarray(Image.open(a.probe).convert('RGB'), dtype=np.float32) / 255.0
        x = torch.from_numpy(x).permute(2, 0, 1).unsqueeze(0).contiguous()
        h, w = x.shape[2:]
        x = F.pad(x, (0, (-w) % 16, 0, (-h) % 16), mode='reflect')
        with torch.no_grad():
            p = torch.softmax(model(x)[1], dim=1)[0]
        print(json.dumps({'probabilities': p.tolist()}))


if __name__ == '__main__':
    main()
