"""Time one training step of a randomly initialised Debian torchvision classifier, for onnx-import's bench.

  /usr/bin/python3 scripts/torch_train_step.py --model mobilenet_v2 --size 224 --batch 16 --threads 1 [--steps 3]

Adam (lr 1e-3), cross-entropy on random labels, train mode (BatchNorm on batch statistics), eager
CPU. Prints one JSON line: {"torch": version, "threads": n, "ms": [per-step wall times after one warm-up step]}.
"""
import argparse
import json
import time

import torch
import torchvision

parser = argparse.ArgumentParser()
parser.add_argument('--model', required=True)
parser.add_argument('--size', type=int, default=224)
parser.add_argument('--batch', type=int, default=16)
parser.add_argument('--threads', type=int, default=1)
parser.add_argument('--steps', type=int, default=3)
args = parser.parse_args()

torch.manual_seed(0)
torch.set_num_threads(args.threads)
model = getattr(torchvision.models, args.model)(weights=None)
model.train()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randn(args.batch, 3, args.size, args.size)
y = torch.randint(0, 1000, (args.batch,))
loss_fn = torch.nn.CrossEntropyLoss()


def step():
    optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()


step()  # warm-up
times = []
for _ in range(args.steps):
    t0 = time.perf_counter()
    step()
    times.append((time.perf_counter() - t0) * 1000)
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'ms': times}))
