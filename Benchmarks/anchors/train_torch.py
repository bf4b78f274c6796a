#!/usr/bin/python3
"""PyTorch anchor for the training/inference throughput harness (Benchmarks/Training).

Usage: train_torch.py THREADS MODELS SECONDS
Prints one JSON object per model on stdout: {"model", "threads", "torch_threads", "params", "train_ips", "infer_ips",
"train_cpu_per_wall", "train_busy_threads"}.
Protocol (same as ours): Fashion-MNIST-shaped random data (1x28x28), training with batch 128,
SGD lr 0.01 momentum 0.9, cross-entropy; 15 warm-up steps are not timed; inference with batch 256
in eval mode under no_grad. The models are the three of ../shared/anchors/fmnist_common.py, plus
"resnet18_224": torchvision's ResNet-18 (3x224x224, 1000 classes) with training and inference at batch 32,
2 warm-up steps and at least 3 timed ones (a step takes seconds).
Run with OPENBLAS_CORETYPE=SkylakeX and OPENBLAS_NUM_THREADS=1 (set by the harness) so OpenBLAS uses
AVX-512 kernels and its thread pool does not fight torch's.
"""
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn_relu(cin, cout, stride=1):
    return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class SmallVgg(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(*conv_bn_relu(1, 32), *conv_bn_relu(32, 32), nn.MaxPool2d(2),
                                      *conv_bn_relu(32, 64), *conv_bn_relu(64, 64), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU(inplace=True),
                                        nn.Dropout(0.25), nn.Linear(256, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.shortcut is None else self.shortcut(x)))


class ResNet20(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn_relu(1, 16))
        blocks, cin = [], 16
        for cout, stride in [(16, 1), (32, 2), (64, 2)]:
            for i in range(3):
                blocks.append(Block(cin, cout, stride if i == 0 else 1))
                cin = cout
        self.layers = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.layers(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def resnet18_224():
    import torchvision
    return torchvision.models.resnet18(weights=None, num_classes=1000)


MODELS = {"lenet5": LeNet5, "vgg_small": SmallVgg, "resnet20": ResNet20, "resnet18_224": resnet18_224}

# (channels, size, classes, train batch, inference batch, warm-up steps, minimum timed steps, batches of data)
PROTOCOLS = {"resnet18_224": (3, 224, 1000, 32, 32, 2, 3, 2)}
FMNIST_PROTOCOL = (1, 28, 10, 128, 256, 15, 20, 16)


def thread_ticks():
    """CPU clock ticks (user + system) of each OS thread of this process, by thread id."""
    ticks = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks[tid] = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except OSError:
            pass  # the thread ended
    return ticks


def busy_threads(before, after):
    """Threads that used at least a fifth of the busiest thread's CPU time between the snapshots."""
    used = [t - before.get(tid, 0) for tid, t in after.items()]
    most = max(used, default=0)
    return sum(u >= most / 5 for u in used) if most > 0 else 0


def timed(step, warm, seconds, min_steps):
    """Steps, wall seconds, CPU seconds and busy threads of the timed window after the warm-up."""
    for i in range(warm):
        step(i)
    n, start, cpu, ticks = 0, time.perf_counter(), time.process_time(), thread_ticks()
    while True:
        step(warm + n)
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and n >= min_steps:
            return n, elapsed, time.process_time() - cpu, busy_threads(ticks, thread_ticks())


def measure(name, threads, seconds):
    channels, size, classes, tb, ib, warm, min_steps, n = PROTOCOLS.get(name, FMNIST_PROTOCOL)
    torch.manual_seed(0)
    model = MODELS[name]()
    data = torch.randn(tb * n, channels, size, size)
    labels = torch.randint(0, classes, (tb * n,))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    model.train()

    def train_step(i):
        j = (i % n) * tb
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(data[j:j + tb]), labels[j:j + tb]).backward()
        optimizer.step()

    steps, elapsed, cpu, busy = timed(train_step, warm, seconds, min_steps)
    train_cpu_per_wall = cpu / elapsed
    train_ips = steps * tb / elapsed

    model.eval()
    with torch.no_grad():
        def infer_step(i):
            j = (i % (tb * n // ib)) * ib
            model(data[j:j + ib])
        steps, elapsed, _, _ = timed(infer_step, min(5, warm), seconds / 2, min_steps)
    infer_ips = steps * ib / elapsed
    params = sum(p.numel() for p in model.parameters())
    # torch_threads, train_cpu_per_wall (process CPU time over wall time while training) and train_busy_threads show
    # whether the thread setting took effect.
    return {"model": name, "threads": threads, "torch_threads": torch.get_num_threads(), "params": params,
            "train_ips": train_ips, "infer_ips": infer_ips, "train_cpu_per_wall": train_cpu_per_wall,
            "train_busy_threads": busy}


def main():
    threads = int(sys.argv[1])
    names = sys.argv[2].split(",")
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 8.0
    torch.set_num_threads(threads)
    for name in names:
        print(json.dumps(measure(name, threads, seconds)), flush=True)


if __name__ == "__main__":
    main()
