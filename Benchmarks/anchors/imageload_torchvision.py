#!/usr/bin/python3
"""Image-loading anchor for the `imageload` harness: torchvision's training transforms over pre-decoded images.

  imageload_torchvision.py DIR THREADS EPOCHS BATCH

Decodes every DIR/*/*.png once with Pillow (the "cache"), then per epoch a DataLoader with THREADS worker processes
(0 workers when THREADS is 1: the main process does the work) applies RandomResizedCrop(224), RandomHorizontalFlip,
ColorJitter(0.4, 0.4, 0.4), ToTensor and Normalize(ImageNet) and collates shuffled batches of BATCH.
Prints `img_per_s X`: the best epoch after a warm-up one.
"""
import glob
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from torchvision import transforms  # noqa: E402

torch.set_num_threads(1)


class Decoded(torch.utils.data.Dataset):
    def __init__(self, folder):
        paths = sorted(glob.glob(os.path.join(folder, "*", "*.png")))
        classes = sorted({os.path.basename(os.path.dirname(p)) for p in paths})
        self.items = []
        for p in paths:
            with Image.open(p) as im:
                self.items.append((im.convert("RGB"), classes.index(os.path.basename(os.path.dirname(p)))))
        self.transform = transforms.Compose([
            transforms.RandomResizedCrop(224),
            transforms.RandomHorizontalFlip(),
            transforms.ColorJitter(0.4, 0.4, 0.4),
            transforms.ToTensor(),
            transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
        ])

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        image, label = self.items[i]
        return self.transform(image), label


def main():
    folder, threads, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    data = Decoded(folder)
    workers = 0 if threads == 1 else threads
    loader = torch.utils.data.DataLoader(data, batch_size=batch, shuffle=True, num_workers=workers,
                                         persistent_workers=workers > 0)
    best = 0.0
    for epoch in range(epochs + 1):
        start = time.perf_counter()
        rows = 0
        for x, y in loader:
            rows += x.shape[0]
        rate = rows / (time.perf_counter() - start)
        if epoch > 0:
            best = max(best, rate)
    print(f"img_per_s {best:.2f}")


if __name__ == "__main__":
    main()
