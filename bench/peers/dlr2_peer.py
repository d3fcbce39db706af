#!/usr/bin/env python3
"""PyTorch peer of EmbedRec's DLR2 training step: training iterations per second of the same network on
the same batches as configs/dlr2-random-ml100k.yaml (trainable embeddings) and configs/dlr2-leporid-ml100k.yaml
(--frozen), to set beside the `dlr2` bench runner.

    /usr/bin/python3 bench/peers/dlr2_peer.py [DATA_ROOT] [--steps N] [--warmup W] [--threads T] [--frozen]
        [--profile] [--seed S] [--log-every K]

Data: DATA_ROOT/ml-100k/u.data (default DATA_ROOT: $EMBEDREC_DATA, else ../shared/data from the working
directory, else from this file). As EmbedRec reads `dataset: ml-100k` with `split: leporid`:
  - users and items numbered in order of first appearance in u.data; every rating is an interaction;
  - the dataset's default filter kcore=5 (Data/Filters.cs KCore): repeatedly drop the rows of users or
    items with fewer than 5 rows (both tested against the same counts in one pass) until none change;
  - the Leporid split (Data/Splits/LeporidSplit.cs): each user's rows sorted by timestamp, ties by MovieID
    as an integer; train = the first int(0.7 * n) in floating point; items renumbered in order of first
    appearance in train (users in order, each chronologically);
  - windows (Data/Sampling/WindowBatcher.cs): for each user with n training items and each k < n - 5,
    state train[k..k+4], target train[k+5]; users with n <= 5 give none.
It prints the counts it got: 99,287 rows after the k-core, 943 users, 1,348 items, 69,074 training rows,
64,359 windows (2,012 steps of 32 per epoch). docs/leporid.md and the random config quote 64,363 windows
(69,078 training rows): that count was measured when `split: temporal=0.7,0.1` stood in for `split: leporid`
(commit 6c7064b), and TemporalRatioSplit takes floor(0.7 n + 1e-9), which keeps one more training row than
int(0.7 n) for the four users with n = 90, 90, 170, 330 (0.7 * 90 = 62.99999999999999 in doubles; the
LeporidSplit test asserts TrainCount(90) = 62). Steps per epoch and T_max are the same either way.

Network (Models/Dlr2/Dlr2Network.cs, d = 64, l = 5, c = 64): user table [users, 64] and item table
[items + 1, 64] with row 0 the zero padding row (item i at row i + 1; training never indexes row 0);
image [e_u; e_h1..e_h5] as [B, 1, 6, 64]; Conv2d 1->64 1x1 + ReLU; block 64->64: conv3x3 -> ReLU -> conv3x3,
+ input, ReLU; block 64->128: conv3x3 stride 2 -> ReLU -> conv3x3, + BN(conv1x1 stride 2 (input)), ReLU
(BatchNorm only on the shortcut, none on the main path, as our Dlr2Block); flatten 128x3x32 -> Linear -> 64.
Convolutions without bias, Kaiming-normal fan-out weights; Linear layers PyTorch's default. Critic S:
concat[s, e] 128 -> 256 -> 256 -> 128 -> 1, ReLU between; actor G: tanh(64 -> 256 -> 256 -> 128 -> 64).
Loss (Objectives/Dlr2Objective.cs), margins 0.5: one state s per window, the critic run twice (positive,
then negative, 32 rows each, as ours), L_S = mean[S(s,e+)^2 + relu(0.5 - S(s,e-))^2],
L_G = mean[relu(mean_d (G-e+)^2 - mean_d (G-e-)^2 + 0.5)], loss = L_S + L_G.

Training: batches of 32 windows, Adam (betas .9/.999, eps 1e-8, no weight decay) at lr 1e-3 with per-step
cosine annealing over the config's 3 epochs (T_max = 3 * 2,012 = 6,036 iterations, the rate set from the
closed form before every step as our trainer does; warm-up steps count as iterations). Random config:
embeddings N(0, 0.01^2), trained. --frozen (Leporid config): embeddings with requires_grad off and left
out of Adam; they are filled with per-column z-scored Gaussian vectors, the statistics of Leporid's
`normalize: zscore` input, not the spectral vectors themselves (their values do not change the cost).

Batches: drawn inside the timed loop, as a real epoch does: one seeded permutation of the windows per
epoch (drawn when an epoch starts; an epoch is 2,012 steps, so with the defaults only before the warm-up),
then per step the batch's users, states and targets gathered from precomputed arrays and one uniform
negative per window among the items the user never saw in train (rejection against the sorted
(user, item) training keys; exact uniform, the same distribution as our k-th-unseen sampler), converted
to tensors. EmbedRec draws its batches on a prefetch thread, so there this cost overlaps the step; here it
is serial (--profile shows it: under a millisecond a step, against a step of a hundred milliseconds or more
on one thread).

Output: one JSON line {"side":"pytorch","model":"dlr2","steps","seconds","steps_per_s","windows_per_s",
"threads","torch","frozen","loss","peak_rss_mb","windows","users","items",...} where "seconds" covers the
N timed steps after W untimed warm-up steps (data loading and window building excluded) and "loss" is the
mean over the timed steps; the data counts also go to stderr as {"phase":"data",...}. Gradients are
cleared with zero_grad(set_to_none=True). With --profile a line {"phase":"profile",...} first: batch, forward (loss and
its .item()), backward and optimizer (lr, zero_grad, step) seconds over the timed steps. --log-every K
writes {"step","loss","l_s","l_g","lr"} to stderr every K steps (the numerical check). Threads: torch.set_num_threads(T),
and OPENBLAS_NUM_THREADS/OMP_NUM_THREADS default to T; OPENBLAS_CORETYPE is the caller's to set.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("data_root", nargs="?", default=None, metavar="DATA_ROOT")
ap.add_argument("--steps", type=int, default=200, help="timed steps")
ap.add_argument("--warmup", type=int, default=20, help="untimed steps before the timer")
ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
ap.add_argument("--frozen", action="store_true", help="freeze the embeddings (the Leporid config)")
ap.add_argument("--profile", action="store_true", help="also print batch/forward/backward/optimizer seconds")
ap.add_argument("--seed", type=int, default=0)
ap.add_argument("--log-every", type=int, default=0, help="write the loss to stderr every K steps")
args = ap.parse_args()
if args.steps < 1 or args.warmup < 0 or args.threads < 1:
    sys.exit("need --steps >= 1, --warmup >= 0, --threads >= 1")

# Before torch loads: OpenBLAS (pthread build) sizes its pool from these.
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

DIM, WINDOW, CHANNELS, HEAD = 64, 5, 64, (256, 256, 128)
BATCH, LR, EPOCHS, MARGIN_S, MARGIN_G = 32, 1e-3, 3, 0.5, 0.5
KCORE, TRAIN_SHARE = 5, 0.7


# ----------------------------------------------------------------------------------------------- data

def data_file(root):
    if root is None:
        root = os.environ.get("EMBEDREC_DATA")
    candidates = [root] if root else [os.path.join("..", "shared", "data"),
                                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data")]
    for r in candidates:
        p = os.path.join(r, "ml-100k", "u.data")
        if os.path.isfile(p):
            return p
    sys.exit(f"no ml-100k/u.data under {' or '.join(candidates)}")


def first_appearance(ids):
    """Dense ids in order of first appearance (as EmbedRec's IdMap fills while reading)."""
    uniq, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    rank = np.empty(len(uniq), np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(uniq))
    return rank[inverse]


def load(path):
    """Training sequences per user (dense item ids, chronological) and the user and item counts."""
    raw = np.loadtxt(path, dtype=np.int64)
    ext_user, ext_item, ts = raw[:, 0], raw[:, 1], raw[:, 3]
    user, item = first_appearance(ext_user), first_appearance(ext_item)

    # kcore=5: iterative, users and items judged on the same counts in each pass; then compact, keeping order.
    alive = np.ones(len(user), bool)
    while True:
        uc = np.bincount(user[alive], minlength=user.max() + 1)
        ic = np.bincount(item[alive], minlength=item.max() + 1)
        drop = alive & ((uc[user] < KCORE) | (ic[item] < KCORE))
        if not drop.any():
            break
        alive &= ~drop
    user, ext_item, ts = user[alive], ext_item[alive], ts[alive]
    user = np.unique(user, return_inverse=True)[1]  # keeps the first-appearance order of what is left
    n_users = int(user.max()) + 1

    # Leporid split: per user by (timestamp, MovieID as an integer, row); train = first int(0.7 n).
    order = np.lexsort((np.arange(len(user)), ext_item, ts, user))
    counts = np.bincount(user, minlength=n_users)
    starts = np.concatenate([[0], np.cumsum(counts)])
    train_ext = [ext_item[order[starts[u]:starts[u] + int(TRAIN_SHARE * counts[u])]] for u in range(n_users)]

    # Items in order of first appearance in train (users in order, each chronologically).
    new_id = {}
    seqs = []
    for s in train_ext:
        seqs.append(np.array([new_id.setdefault(int(i), len(new_id)) for i in s], np.int64))
    return seqs, n_users, len(new_id), int(counts.sum()), sum(len(s) for s in seqs)


class Windows:
    """Every training window, and one epoch's batches of them with a uniform unseen negative each."""

    def __init__(self, seqs, n_items, rng):
        users, states, targets = [], [], []
        for u, s in enumerate(seqs):
            n = len(s) - WINDOW
            if n <= 0:
                continue
            idx = np.arange(n)[:, None] + np.arange(WINDOW)[None, :]
            users.append(np.full(n, u, np.int64))
            states.append(s[idx])
            targets.append(s[WINDOW:])
        self.user = np.concatenate(users)
        self.state_rows = np.concatenate(states) + 1      # item i is row i + 1 of the item table
        self.target = np.concatenate(targets)
        self.n_items = n_items
        self.keys = np.unique(np.concatenate([u * n_items + s for u, s in enumerate(seqs) if len(s)]))
        self.rng = rng
        self.order, self.cursor = None, 0

    def __len__(self):
        return len(self.user)

    def negatives(self, users):
        neg = self.rng.integers(0, self.n_items, users.size)
        todo = np.arange(users.size)
        while todo.size:
            k = users[todo] * self.n_items + neg[todo]
            pos = np.minimum(np.searchsorted(self.keys, k), len(self.keys) - 1)
            todo = todo[self.keys[pos] == k]
            neg[todo] = self.rng.integers(0, self.n_items, todo.size)
        return neg

    def next_batch(self):
        if self.order is None or self.cursor >= len(self.order):
            self.order, self.cursor = self.rng.permutation(len(self.user)), 0
        w = self.order[self.cursor:self.cursor + BATCH]
        self.cursor += len(w)
        u = self.user[w]
        return (torch.from_numpy(u), torch.from_numpy(self.state_rows[w]),
                torch.from_numpy(self.target[w] + 1), torch.from_numpy(self.negatives(u) + 1))


# ------------------------------------------------------------------------------------------- network

def conv(cin, cout, k, stride, pad):
    c = nn.Conv2d(cin, cout, k, stride=stride, padding=pad, bias=False)
    nn.init.kaiming_normal_(c.weight, mode="fan_out", nonlinearity="relu")
    return c


class Block(nn.Module):
    def __init__(self, cin, cout, stride, shortcut):
        super().__init__()
        self.conv1 = conv(cin, cout, 3, stride, 1)
        self.conv2 = conv(cout, cout, 3, 1, 1)
        self.down = nn.Sequential(conv(cin, cout, 1, stride, 0), nn.BatchNorm2d(cout)) if shortcut else None

    def forward(self, x):
        y = self.conv2(F.relu(self.conv1(x)))
        return F.relu(y + (x if self.down is None else self.down(x)))


def head(width, out):
    layers = []
    for h in HEAD:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, out))
    return nn.Sequential(*layers)


class Dlr2(nn.Module):
    def __init__(self, n_users, n_items, frozen):
        super().__init__()
        self.user = nn.Embedding(n_users, DIM)
        self.item = nn.Embedding(n_items + 1, DIM, padding_idx=0)
        with torch.no_grad():
            if frozen:  # stand-ins with the statistics of z-scored spectral columns (mean 0, population std 1)
                for w, first in ((self.user.weight, 0), (self.item.weight, 1)):
                    x = torch.randn(w.shape[0] - first, DIM)
                    w[first:] = (x - x.mean(0)) / x.std(0, unbiased=False)
            else:
                self.user.weight.normal_(0, 0.01)
                self.item.weight.normal_(0, 0.01)
            self.item.weight[0].zero_()
        if frozen:
            self.user.weight.requires_grad_(False)
            self.item.weight.requires_grad_(False)
        self.conv1 = conv(1, CHANNELS, 1, 1, 0)
        self.layer1 = Block(CHANNELS, CHANNELS, 1, False)
        self.layer2 = Block(CHANNELS, 2 * CHANNELS, 2, True)
        h, w = (WINDOW + 1 - 1) // 2 + 1, (DIM - 1) // 2 + 1
        self.fc = nn.Linear(2 * CHANNELS * h * w, DIM)
        self.critic = head(2 * DIM, 1)
        self.actor = head(DIM, DIM)

    def features(self, users, state_rows):
        b = users.shape[0]
        image = torch.cat([self.user(users).unsqueeze(1), self.item(state_rows)], 1)  # [B, l+1, d]
        y = F.relu(self.conv1(image.view(b, 1, WINDOW + 1, DIM)))
        y = self.layer2(self.layer1(y))                                              # [B, 2c, 3, 32]
        return self.fc(y.flatten(1))

    def loss(self, users, state_rows, pos_rows, neg_rows):
        s = self.features(users, state_rows)
        pos, neg = self.item(pos_rows), self.item(neg_rows)
        s_pos = self.critic(torch.cat([s, pos], 1)).view(-1)
        s_neg = self.critic(torch.cat([s, neg], 1)).view(-1)
        critic = (s_pos * s_pos + F.relu(MARGIN_S - s_neg).pow(2)).mean()
        g = torch.tanh(self.actor(s))
        gap = (g - pos).pow(2).mean(1) - (g - neg).pow(2).mean(1)
        return critic, F.relu(gap + MARGIN_G).mean()


# -------------------------------------------------------------------------------------------- main

def main():
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    seqs, n_users, n_items, rows, train_rows = load(data_file(args.data_root))
    data = Windows(seqs, n_items, rng)
    steps_per_epoch = (len(data) + BATCH - 1) // BATCH
    t_max = EPOCHS * steps_per_epoch
    print(json.dumps({"side": "pytorch", "model": "dlr2", "phase": "data", "rows_after_kcore": rows,
                      "train_rows": train_rows, "users": n_users, "items": n_items, "windows": len(data),
                      "steps_per_epoch": steps_per_epoch, "t_max": t_max}), file=sys.stderr, flush=True)

    model = Dlr2(n_users, n_items, args.frozen)
    model.train()
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=LR, betas=(0.9, 0.999), eps=1e-8)

    split = dict(batch=0.0, forward=0.0, backward=0.0, optimizer=0.0)
    total_loss, windows, t0 = 0.0, 0, None
    clock = time.perf_counter
    for step in range(args.warmup + args.steps):
        if step == args.warmup:
            for k in split:
                split[k] = 0.0
            t0 = clock()
        a = clock()
        batch = data.next_batch()
        b = clock()
        l_s, l_g = model.loss(*batch)
        loss = l_s + l_g
        value = loss.item()
        c = clock()
        for g in opt.param_groups:
            g["lr"] = LR * (1 + math.cos(math.pi * step / t_max)) / 2
        opt.zero_grad(set_to_none=True)
        d = clock()
        loss.backward()
        e = clock()
        opt.step()
        f = clock()
        if not math.isfinite(value):
            sys.exit(f"loss {value} at step {step}")
        split["batch"] += b - a
        split["forward"] += c - b
        split["backward"] += e - d
        split["optimizer"] += (d - c) + (f - e)
        if step >= args.warmup:
            total_loss += value
            windows += batch[0].shape[0]
        if args.log_every and step % args.log_every == 0:
            print(json.dumps({"step": step, "loss": round(value, 6), "l_s": round(l_s.item(), 6), "l_g": round(l_g.item(), 6),
                              "lr": opt.param_groups[0]["lr"]}), file=sys.stderr, flush=True)
    seconds = clock() - t0

    if args.profile:
        print(json.dumps({"side": "pytorch", "model": "dlr2", "phase": "profile", "steps": args.steps,
                          **{k + "_s": round(v, 4) for k, v in split.items()}}), flush=True)
    print(json.dumps({"side": "pytorch", "model": "dlr2", "steps": args.steps, "seconds": round(seconds, 4),
                      "steps_per_s": round(args.steps / seconds, 4), "windows_per_s": round(windows / seconds, 2),
                      "threads": args.threads, "torch": torch.__version__, "frozen": args.frozen,
                      "loss": round(total_loss / args.steps, 6),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "windows": len(data), "users": n_users, "items": n_items, "batch": BATCH, "warmup": args.warmup,
                      "coretype": os.environ.get("OPENBLAS_CORETYPE", "")}), flush=True)


if __name__ == "__main__":
    main()
