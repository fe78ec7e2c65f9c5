"""PyTorch reference for the fake-quant bench: the reference CNN, float and eager QAT (fbgemm),
1 thread, same protocol as bench/index.ts. Prints one JSON line."""
import json, sys, time
import torch
import torch.nn as nn
import torch.ao.quantization as tq

torch.set_num_threads(1)
torch.manual_seed(0)
batch, warmup, reps, per_rep = (int(a) for a in sys.argv[1:5])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv1 = nn.Conv2d(1, 8, 3)
        self.relu1 = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.relu2 = nn.ReLU()
        self.fc = nn.Linear(16 * 11 * 11, 10)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.pool(self.relu1(self.conv1(x)))
        x = self.relu2(self.conv2(x))
        return self.dequant(self.fc(torch.flatten(x, 1)))


def samples_per_second(model):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(per_rep):
            step()
        times.append((time.perf_counter() - t0) / per_rep)
    times.sort()
    return batch / times[len(times) // 2]


float_model = Net().train()
qat_model = Net().train()
qat_model.qconfig = tq.get_default_qat_qconfig('fbgemm')
tq.fuse_modules_qat(qat_model, [['conv1', 'relu1'], ['conv2', 'relu2']], inplace=True)
tq.prepare_qat(qat_model, inplace=True)
result = {'float': samples_per_second(float_model), 'qat': samples_per_second(qat_model), 'torch': torch.__version__}
print(json.dumps(result))
