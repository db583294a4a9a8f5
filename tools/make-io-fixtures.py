#!/usr/bin/python3
"""Generates the small oracle files in test/fixtures/io/ with Debian's PyTorch (not the pyenv python):

    /usr/bin/python3 tools/make-io-fixtures.py

- all-dtypes.safetensors: every supported dtype, written by the independent writer below (struct + json, as
  the safetensors spec describes), with torch's own float16/bfloat16 <-> float32 conversions stored beside
  (".f32" = torch .float() of the 16-bit tensor; ".from_f32" = torch .half()/.bfloat16() of a float32 tensor).
- mixed.pth (torch.save, protocol 2), mixed-p4.pth (pickle_protocol=4), mixed-deflate.pth (same records
  re-zipped with deflate), mixed-zip64.pth (re-zipped with every ZIP64 structure forced), legacy.pth (the
  pre-1.6 non-zip format): non-contiguous views, storage offsets, a stride-0 expand, shared storages, every
  dtype, a Parameter, nested plain values.
- mixed.json: what torch.load gives for mixed.pth (shapes, dtypes, sha256 of contiguous bytes, values).
- plain-p2..p5.pkl: Python's pickle of one plain value (listed in plain_pickles) at protocols 2-5.
"""
import collections
import hashlib
import io
import json
import os
import pickle
import struct
import sys
import zipfile

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'io')

CODES = {torch.float64: 'F64', torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16',
         torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8', torch.uint8: 'U8',
         torch.bool: 'BOOL'}


def raw(t):
    return t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b''


def write_safetensors(path, tensors, metadata):
    header = {'__metadata__': metadata}
    blobs, off = [], 0
    for name, t in tensors:
        b = raw(t)
        header[name] = {'dtype': CODES[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def safetensors_fixture():
    g = torch.Generator().manual_seed(20240601)
    special = [0.0, -0.0, 1.0, -2.5, 0.1, 3.14159, 1000.5, 65504.0, 6.103515625e-05, 5.960464477539063e-08,
               1e-06, -3e-07, float('inf'), float('-inf'), float('nan')]
    # float32 inputs for rounding: exact ties, overflow, subnormals and a spread of random magnitudes.
    ties = [1 + 2 ** -11, 1 + 3 * 2 ** -11, 65520.0, 65519.0, 2 ** -25, 3 * 2 ** -26, 2 ** -24 * 1.5,
            1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.3895313892515355e+38, 1e-40, -1e-39]
    rnd = (torch.randn(400, generator=g) * torch.exp(torch.randn(400, generator=g) * 6)).tolist()
    f32_in = torch.tensor(special + ties + rnd, dtype=torch.float32)
    half = torch.tensor(special, dtype=torch.float32).half()
    bf = torch.tensor(special + [1e38, 1e-40], dtype=torch.float32).bfloat16()
    tensors = [
        ('f32', torch.randn(3, 4, generator=g)),
        ('f64', torch.randn(2, 3, generator=g).double()),
        ('f16', half), ('f16.f32', half.float()),
        ('bf16', bf), ('bf16.f32', bf.float()),
        ('rounding.f32', f32_in), ('rounding.f32.from_f32.f16', f32_in.half()),
        ('rounding.f32.from_f32.bf16', f32_in.bfloat16()),
        ('i64', torch.tensor([-2 ** 63, 2 ** 63 - 1, 0, -1, 123456789012345], dtype=torch.int64)),
        ('i32', torch.tensor([[-2 ** 31, 2 ** 31 - 1], [7, -7]], dtype=torch.int32)),
        ('i16', torch.tensor([-32768, 32767, 5], dtype=torch.int16)),
        ('i8', torch.tensor([-128, 127, 0, -1], dtype=torch.int8)),
        ('u8', torch.tensor([0, 255, 128], dtype=torch.uint8)),
        ('bool', torch.tensor([True, False, True, True, False])),
        ('empty', torch.zeros(0, 3)),
        ('scalar', torch.tensor(2.5)),
    ]
    write_safetensors(os.path.join(OUT, 'all-dtypes.safetensors'), tensors,
                      {'producer': 'tools/make-io-fixtures.py', 'note': 'ünïcode ✓'})


def describe(v):
    if isinstance(v, torch.Tensor):
        flat = v.detach().contiguous().reshape(-1)
        vals = [str(x) for x in flat.tolist()] if v.dtype == torch.int64 else \
            [None if x != x else x for x in flat.float().tolist()] if v.is_floating_point() else flat.int().tolist()
        return {'tensor': {'shape': list(v.shape), 'dtype': str(v.dtype)[6:], 'sha256': hashlib.sha256(raw(v)).hexdigest(),
                           'values': vals}}
    if isinstance(v, dict):
        return {'dict': [[k, describe(x)] for k, x in v.items()], 'ordered': isinstance(v, collections.OrderedDict)}
    if isinstance(v, tuple):
        return {'tuple': [describe(x) for x in v]}
    if isinstance(v, list):
        return {'list': [describe(x) for x in v]}
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 2 ** 53:
        return {'bigint': str(v)}
    return {'value': v}


def mixed_object():
    g = torch.Generator().manual_seed(7)
    base = torch.randn(4, 6, generator=g)
    big = torch.arange(40, dtype=torch.float32)
    sd = collections.OrderedDict()
    sd['transposed'] = base.t()  # stride (1, 6)
    sd['sliced'] = base[1:, 2:5]  # storage offset 8, stride (6, 1)
    sd['every_other'] = big[3::2]  # offset 3, stride 2
    sd['expanded'] = torch.tensor([1.5, -2.0, 3.25]).unsqueeze(0).expand(4, 3)  # stride (0, 1)
    sd['permuted'] = torch.randn(2, 3, 4, generator=g).permute(2, 0, 1)
    sd['shared_a'] = big[:10]
    sd['shared_b'] = big[5:25].view(4, 5)  # overlaps shared_a in the same storage
    sd['half'] = torch.randn(3, 2, generator=g).half()
    sd['bf16_t'] = torch.randn(3, 2, generator=g).bfloat16().t()
    sd['f64'] = torch.randn(2, 2, generator=g).double()
    sd['i64'] = torch.tensor([-(2 ** 40), 3, 2 ** 62])
    sd['i32'] = torch.tensor([1, -2, 3], dtype=torch.int32)
    sd['i16'] = torch.tensor([-300, 300], dtype=torch.int16)
    sd['i8'] = torch.tensor([-5, 5], dtype=torch.int8)
    sd['u8'] = torch.tensor([[0, 200], [100, 255]], dtype=torch.uint8).t()
    sd['mask'] = torch.tensor([True, False, True])
    sd['scalar'] = torch.tensor(3.5)
    sd['empty'] = torch.zeros(2, 0)
    sd['param'] = torch.nn.Parameter(torch.randn(2, 2, generator=g))
    sd._metadata = collections.OrderedDict([('', {'version': 1}), ('conv', {'version': 2})])
    return {
        'params': sd,
        'config': {'name': 'tiny', 'lr': 2e-4, 'steps': 10, 'neg': -70000, 'huge': 2 ** 70, 'flag': True,
                   'none': None, 'dims': [1, 2, 3], 'pair': (4, 'x'), 'nested': {'k': [0.5, {'z': -1}]}},
    }


def rezip(src, dst, compression, force_zip64=False):
    saved = (zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT)
    if force_zip64:  # makes the writer emit ZIP64 extra fields and end records for everything
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = 0, 0
    try:
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w', compression) as zout:
            for info in zin.infolist():
                # A fixed timestamp keeps regenerated files byte-identical.
                zi = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
                zi.compress_type = compression
                zout.writestr(zi, zin.read(info.filename))
    finally:
        zipfile.ZIP64_LIMIT, zipfile.ZIP_FILECOUNT_LIMIT = saved
    if force_zip64:
        # zipfile still fills the classic end record when values fit; saturate its fields (0xFFFF/0xFFFFFFFF,
        # as the spec asks for large archives) so readers must take them from the ZIP64 end record.
        data = bytearray(open(dst, 'rb').read())
        e = data.rfind(b'PK\x05\x06')
        data[e + 8:e + 20] = struct.pack('<HHII', 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
        open(dst, 'wb').write(bytes(data))


def pth_fixtures():
    obj = mixed_object()
    p = lambda n: os.path.join(OUT, n)
    torch.save(obj, p('mixed.pth'))
    torch.save(obj, p('mixed-p4.pth'), pickle_protocol=4)
    rezip(p('mixed.pth'), p('mixed-deflate.pth'), zipfile.ZIP_DEFLATED)
    rezip(p('mixed.pth'), p('mixed-zip64.pth'), zipfile.ZIP_STORED, force_zip64=True)
    torch.save({'w': torch.ones(2)}, p('legacy.pth'), _use_new_zipfile_serialization=False)
    for n in ('mixed.pth', 'mixed-p4.pth'):
        back = torch.load(p(n))
        assert all(torch.equal(back['params'][k], obj['params'][k]) for k in obj['params']), n
    # torch's own reader rejects these two (it wants stored, torch-written archives); they exercise our zip
    # reader only, and Python's zipfile confirms they hold the same records.
    for n in ('mixed-deflate.pth', 'mixed-zip64.pth'):
        with zipfile.ZipFile(p(n)) as a, zipfile.ZipFile(p('mixed.pth')) as b:
            assert a.testzip() is None and all(a.read(i) == b.read(i) for i in b.namelist()), n
    loaded = torch.load(p('mixed.pth'))
    meta = {k: dict(v) for k, v in loaded['params']._metadata.items()}
    with open(p('mixed.json'), 'w') as f:
        json.dump({'generator': 'tools/make-io-fixtures.py', 'torch': torch.__version__, 'metadata': meta,
                   'object': describe(loaded)}, f, ensure_ascii=False)
        f.write('\n')


def plain_pickles():
    """Python's own pickler at protocols 2-5 on plain values (no bytes: protocol 2 pickles those through
    _codecs.encode, a global the restricted unpickler rightly refuses)."""
    od = collections.OrderedDict([('b', 1), ('a', [2, 3])])
    od.extra = 'attr'
    value = {'ints': [0, 1, -1, 255, 256, 65535, 65536, -2 ** 31, 2 ** 31 - 1, 2 ** 31, 2 ** 63, -2 ** 70],
             'floats': [0.5, -0.0, 1e300, float('inf'), -1.25e-310], 'text': ['', 'ascii', 'ünï ✓', 'x' * 300],
             'flags': (True, False, None), 'nested': {'t': (1, (2, [3, {'k': ()}])), 'empty': {}},
             'od': od, 'same': [od, od], 7: 'int key', 2.5: 'float key'}
    for proto in (2, 3, 4, 5):
        with open(os.path.join(OUT, f'plain-p{proto}.pkl'), 'wb') as f:
            f.write(pickle.dumps(value, protocol=proto))


def main():
    assert sys.byteorder == 'little'
    os.makedirs(OUT, exist_ok=True)
    safetensors_fixture()
    pth_fixtures()
    plain_pickles()
    for n in sorted(os.listdir(OUT)):
        print(n, os.path.getsize(os.path.join(OUT, n)))


if __name__ == '__main__':
    main()
