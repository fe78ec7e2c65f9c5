"""PyTorch side of the training-speed bench: the CLI's cnn, dscnn and resnet-tiny (28x28x1, 10
classes), float and eager QAT (fbgemm fake-quant, conv-BN(-ReLU) fused as PyTorch's QAT recipe
does), Adam 1e-3, cross-entropy, batch 64 of fixed random data.

A small server, so its rows interleave with ours in one run: each stdin line is a JSON task
{"model", "variant", "threads", "warmup", "steps"}; it answers one JSON line {"ms": per step}.
The first line it prints is {"torch": version, "cores": n}."""
import json
import os
import sys
import time

import torch
import torch.ao.quantization as tq
import torch.nn as nn

torch.manual_seed(0)
BATCH = 64


def cbr(cin, cout, k, s, groups=1, relu=nn.ReLU):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout), relu())


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant, self.dequant = tq.QuantStub(), tq.DeQuantStub()
        self.conv1, self.relu1, self.pool = nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2)
        self.conv2, self.relu2 = nn.Conv2d(8, 16, 3), nn.ReLU()
        self.fc = nn.Linear(16 * 11 * 11, 10)

    def forward(self, x):
        x = self.pool(self.relu1(self.conv1(self.quant(x))))
        return self.dequant(self.fc(torch.flatten(self.relu2(self.conv2(x)), 1)))

    def fuse(self):
        tq.fuse_modules_qat(self, [['conv1', 'relu1'], ['conv2', 'relu2']], inplace=True)


class Dscnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant, self.dequant = tq.QuantStub(), tq.DeQuantStub()
        self.body = nn.Sequential(
            cbr(1, 16, 3, 2, relu=nn.ReLU6),
            cbr(16, 16, 3, 2, groups=16, relu=nn.ReLU6), cbr(16, 32, 1, 1, relu=nn.ReLU6),
            cbr(32, 32, 3, 1, groups=32, relu=nn.ReLU6), cbr(32, 64, 1, 1, relu=nn.ReLU6),
        )
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.body(self.quant(x)).mean((2, 3))
        return self.dequant(self.fc(x))

    def fuse(self):  # ReLU6 is not fusable: conv + BN
        for block in self.body:
            tq.fuse_modules_qat(block, [['0', '1']], inplace=True)


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = cbr(cin, cout, 3, stride)
        self.b = nn.Sequential(nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.proj = None if stride == 1 and cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.add, self.relu = nn.quantized.FloatFunctional(), nn.ReLU()

    def forward(self, x):
        return self.relu(self.add.add(self.b(self.a(x)), x if self.proj is None else self.proj(x)))

    def fuse(self):
        tq.fuse_modules_qat(self.a, [['0', '1', '2']], inplace=True)
        tq.fuse_modules_qat(self.b, [['0', '1']], inplace=True)
        if self.proj is not None:
            tq.fuse_modules_qat(self.proj, [['0', '1']], inplace=True)


class ResnetTiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant, self.dequant = tq.QuantStub(), tq.DeQuantStub()
        self.stem = cbr(1, 16, 3, 2)
        self.block1, self.block2 = Block(16, 16, 1), Block(16, 32, 2)
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        x = self.block2(self.block1(self.stem(self.quant(x)))).mean((2, 3))
        return self.dequant(self.fc(x))

    def fuse(self):
        tq.fuse_modules_qat(self.stem, [['0', '1', '2']], inplace=True)
        self.block1.fuse()
        self.block2.fuse()


MODELS = {'cnn': Cnn, 'dscnn': Dscnn, 'resnet-tiny': ResnetTiny}
cache = {}
x = torch.rand(BATCH, 1, 28, 28)
y = torch.randint(0, 10, (BATCH,))
loss_fn = nn.CrossEntropyLoss()


def trainer(name, variant):
    key = (name, variant)
    if key not in cache:
        model = MODELS[name]().train()
        if variant == 'qat':
            model.fuse()
            model.qconfig = tq.get_default_qat_qconfig('fbgemm')
            tq.prepare_qat(model, inplace=True)
        cache[key] = (model, torch.optim.Adam(model.parameters(), lr=1e-3))
    return cache[key]


print(json.dumps({'torch': torch.__version__, 'cores': os.cpu_count()}), flush=True)
for line in sys.stdin:
    task = json.loads(line)
    torch.set_num_threads(task['threads'])
    model, opt = trainer(task['model'], task['variant'])

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    for _ in range(task['warmup']):
        step()
    t0 = time.perf_counter()
    for _ in range(task['steps']):
        step()
    print(json.dumps({'ms': (time.perf_counter() - t0) / task['steps'] * 1000}), flush=True)
