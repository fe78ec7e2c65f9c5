"""Export a randomly initialised Debian torchvision classifier to ONNX (opset 13 unless --opset) for onnx-import's tests and bench.

BatchNorm statistics are recalibrated on random images first, so activations are not degenerate
(torchvision's fresh running stats are mean 0 / variance 1, far from what random weights produce).

  /usr/bin/python3 scripts/export_torchvision.py --model mobilenet_v2 --size 64 --out /tmp/m.onnx [--fold-bn] [--dynamic-batch]

Without --fold-bn the export keeps BatchNormalization nodes (TrainingMode.PRESERVE on an eval
model); with it PyTorch's exporter folds them into the convolutions, as a default export does.
The batch size is fixed at --batch unless --dynamic-batch names it a free axis (`dynamic_axes`).
"""
import argparse

import torch
import torchvision

parser = argparse.ArgumentParser()
parser.add_argument('--model', required=True, choices=['mobilenet_v2', 'resnet18', 'squeezenet1_1', 'mobilenet_v3_small', 'shufflenet_v2_x0_5', 'efficientnet_b0', 'regnet_x_400mf'])
parser.add_argument('--size', type=int, default=64)
parser.add_argument('--batch', type=int, default=2)
parser.add_argument('--out', required=True)
parser.add_argument('--seed', type=int, default=0)
parser.add_argument('--fold-bn', action='store_true')
parser.add_argument('--opset', type=int, default=13)
parser.add_argument('--dynamic-batch', action='store_true')
args = parser.parse_args()

torch.manual_seed(args.seed)
model = getattr(torchvision.models, args.model)(weights=None)
bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
if bns:
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(8, 3, args.size, args.size))
model.eval()
example = torch.randn(args.batch, 3, args.size, args.size)
mode = torch.onnx.TrainingMode.EVAL if args.fold_bn else torch.onnx.TrainingMode.PRESERVE
dynamic = {'dynamic_axes': {'input': {0: 'batch'}, 'logits': {0: 'batch'}}} if args.dynamic_batch else {}
torch.onnx.export(model, example, args.out, opset_version=args.opset, input_names=['input'], output_names=['logits'], training=mode, **dynamic)
print(f'{args.model} {args.size}x{args.size} -> {args.out}')
