#!/usr/bin/python3
"""Golden optimizer trajectories and learning-rate schedules from PyTorch.
Run: /usr/bin/python3 Tests/Engine.Tests/Golden/gen_optim.py  (writes optim.json beside it)"""
import torch

import golden_io

torch.manual_seed(7)
cases = []
p0 = torch.randn(3, 4)
p1 = torch.randn(5)
grads = [(torch.randn(3, 4), torch.randn(5)) for _ in range(6)]
configs = {
    "sgd": (torch.optim.SGD, dict(lr=0.1)),
    "sgd_momentum": (torch.optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.1)),
    "sgd_nesterov_wd": (torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    "adam": (torch.optim.Adam, dict(lr=0.01, weight_decay=0.1)),
    "adam_amsgrad": (torch.optim.Adam, dict(lr=0.01, amsgrad=True)),
    "adamw": (torch.optim.AdamW, dict(lr=0.01, weight_decay=0.1)),
    "rmsprop": (torch.optim.RMSprop, dict(lr=0.01, weight_decay=0.01)),
    "rmsprop_centered_momentum": (torch.optim.RMSprop, dict(lr=0.01, momentum=0.9, centered=True)),
}
for name, (cls, kw) in configs.items():
    a, b = p0.clone().requires_grad_(True), p1.clone().requires_grad_(True)
    opt = cls([a, b], **kw)
    traj_a, traj_b = [], []
    for ga, gb in grads:
        a.grad, b.grad = ga.clone(), gb.clone()
        opt.step()
        traj_a.append(a.detach().clone())
        traj_b.append(b.detach().clone())
    cases.append(golden_io.case("opt_" + name, {k: (float(v) if not isinstance(v, bool) else v) for k, v in kw.items()},
                                p0=p0, p1=p1, g0=torch.stack([g[0] for g in grads]), g1=torch.stack([g[1] for g in grads]),
                                a=torch.stack(traj_a), b=torch.stack(traj_b)))


def schedule(name, make, steps=30, metric=None):
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    sched = make(opt)
    lrs, moms = [], []
    for i in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step(metric[i]) if metric is not None else sched.step()
    cases.append(golden_io.case("sched_" + name, {}, lr=torch.tensor(lrs), momentum=torch.tensor(moms)))


schedule("step", lambda o: torch.optim.lr_scheduler.StepLR(o, 7, 0.5))
schedule("multistep", lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [5, 12, 20], 0.3))
schedule("exponential", lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9))
schedule("cosine", lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 30, eta_min=0.001))
schedule("onecycle", lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=30))
metric = [1.0, 0.9, 0.9, 0.95, 0.92, 0.91, 0.905, 0.95, 0.96, 0.97] * 3
schedule("plateau", lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1), metric=metric)
golden_io.write("optim.json", "gen_optim.py", cases)
