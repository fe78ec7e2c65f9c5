"""The README's fine-tune table from a `compare` report and the original model's `eval` reports.

  /usr/bin/python3 apps/cli/bench/fineTuneTable.py out/ft/compare/report.json out/ft/eval-0/eval-report.json out/ft/eval-1/eval-report.json out/ft/eval-2/eval-report.json

Per method: float accuracy, trt-int8-entropy drop (mean and per seed), and the largest growth over
the other profiles of a profile's mean drop against the original's mean drop over the same
calibration slices (eval --seed 0, 1, 2 with compare's seeds 0, 1, 2). Worst-case intervals and
paired differences are in the compare report itself.
"""
import json
import sys

TRT = 'trt-int8-entropy'


def original_profiles(path):
    """Per profile of the original model's eval report: its drop (float accuracy − profile accuracy)."""
    model = json.load(open(path))['models'][0]
    return {p['profile']: p['metrics']['floatAccuracy'] - p['metrics']['accuracy'] for p in model['profiles'] if p['status'] == 'ok'}


report = json.load(open(sys.argv[1]))
originals = [original_profiles(p) for p in sys.argv[2:]]


def original_drop(profile):
    return sum(o[profile] for o in originals) / len(originals)


methods = [m['method'] for m in report['seedResults'][0]['methods']]
for method in methods:
    per_seed = [next(m for m in s['methods'] if m['method'] == method) for s in report['seedResults']]
    profiles = [p['profile'] for p in per_seed[0]['profiles']]
    mean_drop = {p: sum(next(x for x in m['profiles'] if x['profile'] == p)['drop'] for m in per_seed) / len(per_seed) for p in profiles}
    growth = max(((mean_drop[p] - original_drop(p), p) for p in profiles if p != TRT))
    float_acc = sum(m['floatAccuracy'] for m in per_seed) / len(per_seed)
    trt = [next(x for x in m['profiles'] if x['profile'] == TRT)['drop'] for m in per_seed]
    print(f"{method}: float {float_acc * 100:.2f} % | {TRT} {mean_drop[TRT] * 100:.2f} pp (per seed {' / '.join(f'{v * 100:.1f}' for v in trt)}) | largest other growth {growth[0] * 100:+.2f} pp ({growth[1]})")
print(f"original: {TRT} {original_drop(TRT) * 100:.2f} pp (per slice {' / '.join(f'{o[TRT] * 100:.1f}' for o in originals)}); mean drop per profile: " + ', '.join(f'{p} {original_drop(p) * 100:.2f}' for p in sorted(originals[0])))
