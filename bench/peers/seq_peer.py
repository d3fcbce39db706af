#!/usr/bin/env python3
"""PyTorch peers for the sequential models (issue 13): SASRec, GRU4Rec and BERT4Rec trained on Amazon
Beauty as the SEvo authors' code (MTandHJ/SEvo, configs/AmazonBeauty_550_Chron.yaml) trains them.

    /usr/bin/python3 bench/peers/seq_peer.py --model sasrec|gru4rec|bert4rec [--data DIR] [--epochs N]
        [--threads T] [--sevo] [--eval] [--seed S]

Data: DIR/Beauty.txt (or DIR/amazon-beauty/Beauty.txt, or DIR itself a file), `user item` per line,
1-based, chronological per user. Leave-one-out: last item test, second-to-last validation, the rest
training. Default DIR: $EMBEDREC_DATA/amazon-beauty, else ../shared/data/amazon-beauty.

Models (Beauty settings of the authors' configs):
  sasrec    d 64, 2 blocks, 1 head, dropout .3, max_len 50, batch 512; one sequence per user (train
            part, last 50 inputs, left-padded), targets = inputs shifted by one, one uniform negative
            among the user's unseen training items per non-pad position, BCE on pos and neg logits.
            AdamW lr 1e-3, betas (.9, .98), wd .1. The authors' block: Q = LN(x);
            x = MHA(Q, x, x, causal) + x; x = FFN(LN(x)) + LN(x) (Conv1d k=1 FFN); pads zeroed; final LN.
  gru4rec   emb 64 (dropout .4), GRU hidden 64 without bias, Linear(64, 64); every training prefix of
            length >= 2: input = prefix without its last item (last 50), target = its last item, one
            uniform unseen negative, BPR; batches right-padded to their longest input, output at the last
            valid position. Batch 512, AdamW lr 1e-3, betas (.9, .999), wd .1.
  bert4rec  d 64, 2 post-LN encoder layers, 4 heads, FFN 256 GELU, dropout .2; pad 0, mask token 1,
            items shifted by 2; one sequence per user (last 50 training items, left-padded), each
            non-pad position masked with probability .5; output Linear(64, items + 2) at every
            position, full-softmax cross-entropy at the masked ones. Batch 256, AdamW lr 5e-4,
            betas (.9, .95), wd .1.

--sevo: the authors' AdamWSEvo. The item embedding table (and for BERT4Rec the output weight, as a
second group) gets the Theorem-3 moment update (rows with an all-zero gradient feed their bias-corrected
moments instead) and its Adam direction is smoothed by the 3-term Neumann series
(1-b)/(1-b^4) * sum_{l=0..3} (b A)^l, b = .99, over the item-item graph: consecutive training items
(last 50 per user, H = 1) joined with weight 1 in both directions, summed, symmetrically normalized
D^-1/2 A D^-1/2 without self loops; pad/mask rows are isolated. Other parameters: plain AdamW update.
Without --sevo: torch.optim.AdamW over all parameters (the authors' `adamw` optimizer).

Output: one JSON line per epoch {"side":"pytorch","model","epoch","seconds","batches","loss","gflops"},
then {"phase":"eval",...} with --eval, then a final line with peak_rss_mb. Each epoch's batches (shuffle,
negatives, BERT4Rec's masks, padding, tensors) are built before its timer starts; "seconds" covers
only the forward/backward/step loop (--max-batches N: only the first N batches, scaled to the epoch;
"loss" is then the mean over those). --eval times one full-ranking evaluation on the test items of all
users (batches of 100 users as the authors' test pipes, history items masked to -inf, top-10,
HR@1/5/10 and NDCG@5/10); input tensors are built before the timer.

"gflops" = counted training FLOPs / seconds / 1e9, counting 3x the forward matmul FLOPs (backward =
2x forward) over padded shapes as the authors compute them; see flops_* below for the formulas.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--model", required=True, choices=("sasrec", "gru4rec", "bert4rec"))
ap.add_argument("--data", default=None)
ap.add_argument("--epochs", type=int, default=1)
ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
ap.add_argument("--sevo", action="store_true")
ap.add_argument("--eval", action="store_true")
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--max-batches", type=int, default=0,
                help="time only the first N batches of each epoch and scale seconds to the whole epoch")
args = ap.parse_args()

# Before torch loads: OpenBLAS (pthread build) sizes its pool from these.
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

MAXLEN = 50
D = 64


# ----------------------------------------------------------------------------------------------- data

def data_file(path):
    if path is None:
        root = os.environ.get("EMBEDREC_DATA", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data"))
        path = os.path.join(root, "amazon-beauty")
    for p in (path, os.path.join(path, "Beauty.txt"), os.path.join(path, "amazon-beauty", "Beauty.txt")):
        if os.path.isfile(p):
            return p
    sys.exit(f"no Beauty.txt under {path}")


def load(path):
    """Per-user chronological item lists (0-based items), users in id order; the item count."""
    seqs = {}
    with open(path) as f:
        for line in f:
            a, b = line.split()
            seqs.setdefault(int(a), []).append(int(b) - 1)
    users = [seqs[u] for u in sorted(seqs)]
    return users, 1 + max(max(s) for s in users)


class Unseen:
    """Uniform negatives among a user's unseen training items: draw for everyone at once, look the
    (user, item) keys up in the sorted training keys, redraw the collisions."""

    def __init__(self, train, n_items):
        self.n = n_items
        self.keys = np.unique(np.concatenate([np.int64(u) * n_items + np.asarray(s, np.int64) for u, s in enumerate(train)]))

    def draw(self, users, rng):
        users = np.asarray(users, np.int64).ravel()
        neg = rng.integers(0, self.n, users.size)
        todo = np.arange(users.size)
        while todo.size:
            k = users[todo] * self.n + neg[todo]
            hit = self.keys[np.minimum(np.searchsorted(self.keys, k), len(self.keys) - 1)] == k
            todo = todo[hit]
            neg[todo] = rng.integers(0, self.n, todo.size)
        return neg


def left_pad(seqs, length, shift):
    out = np.zeros((len(seqs), length), np.int64)
    for r, s in enumerate(seqs):
        s = s[-length:] if length else []
        if len(s):
            out[r, length - len(s):] = np.asarray(s) + shift
    return out


# --------------------------------------------------------------------------------------- item graph

def item_graph(train, n_items, pads, maxlen=50):
    """Normalized item-item adjacency (coalesced COO: torch 1.13's sparse.mm with COO beats CSR @ dense
    here, 4.9 ms against 7.3 ms for 12,102 x 64), as the authors' get_item_graph with H = 1."""
    rows, cols = [], []
    for s in train:
        s = np.asarray(s[-maxlen:], np.int64) + pads
        rows += [s[:-1], s[1:]]
        cols += [s[1:], s[:-1]]
    r, c = np.concatenate(rows), np.concatenate(cols)
    v = pads + n_items
    a = torch.sparse_coo_tensor(torch.from_numpy(np.stack([r, c])), torch.ones(len(r)), (v, v)).coalesce()
    idx, val = a.indices(), a.values()
    deg = torch.zeros(v).index_add_(0, idx[0], val)
    dinv = deg.pow(-0.5)
    dinv[torch.isinf(dinv)] = 0.
    val = val * dinv[idx[0]] * dinv[idx[1]]
    return torch.sparse_coo_tensor(idx, val, (v, v)).coalesce()


class Smoother:
    """Neumann-series smoothing of an update direction over the item graph (L = 3, beta = .99)."""

    def __init__(self, adj, beta=0.99, L=3):
        self.adj, self.beta, self.L = adj, beta, L

    @torch.no_grad()
    def __call__(self, x):
        out = x
        for _ in range(self.L):
            x = torch.sparse.mm(self.adj, x) * self.beta
            out = out + x
        return out.mul(1 - self.beta).div(1 - self.beta ** (self.L + 1))


class AdamWSEvo(torch.optim.Optimizer):
    """AdamW; groups carrying a 'smoother' get SEvo's moment update and a smoothed direction."""

    def __init__(self, groups, lr, betas, weight_decay, eps=1e-8):
        super().__init__(groups, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            b1, b2 = g["betas"]
            lr, wd, eps = g["lr"], g["weight_decay"], g["eps"]
            smoother = g.get("smoother")
            ps, deltas = [], []
            for p in g["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st["step"] = 0
                    st["m"] = torch.zeros_like(p)
                    st["v"] = torch.zeros_like(p)
                st["step"] += 1
                t, m, v, grad = st["step"], st["m"], st["v"], p.grad
                p.mul_(1 - lr * wd)
                if smoother is None:
                    m.mul_(b1).add_(grad, alpha=1 - b1)
                    v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
                    denom = (v.sqrt() / math.sqrt(1 - b2 ** t)).add_(eps)
                    p.addcdiv_(m, denom, value=-lr / (1 - b1 ** t))
                    continue
                tp = max(1, t - 1)
                zero = grad.eq(0).all(dim=-1, keepdim=True).expand_as(grad)
                mg = torch.where(zero, m.div(1 - b1 ** tp), grad)
                vg = torch.where(zero, v.div(1 - b2 ** tp), grad.pow(2))
                m.mul_(b1).add_(mg, alpha=1 - b1)
                v.mul_(b2).add_(vg, alpha=1 - b2)
                denom = (v.sqrt() / math.sqrt(1 - b2 ** t)).add_(eps)
                ps.append(p)
                deltas.append(m.div(1 - b1 ** t).div(denom))
            if ps:
                counts = [d.size(0) for d in deltas]
                for p, d in zip(ps, torch.split(smoother(torch.cat(deltas)), counts)):
                    p.add_(d, alpha=-lr)


# ------------------------------------------------------------------------------------------- models

class SASRec(nn.Module):
    def __init__(self, n_items, d=D, blocks=2, heads=1, dropout=0.3, maxlen=MAXLEN):
        super().__init__()
        self.item = nn.Embedding(n_items + 1, d, padding_idx=0)
        self.pos = nn.Embedding(maxlen, d)
        self.drop = nn.Dropout(dropout)
        self.attn_ln = nn.ModuleList(nn.LayerNorm(d, eps=1e-8) for _ in range(blocks))
        self.attn = nn.ModuleList(nn.MultiheadAttention(d, heads, dropout=dropout, batch_first=True) for _ in range(blocks))
        self.ffn_ln = nn.ModuleList(nn.LayerNorm(d, eps=1e-8) for _ in range(blocks))
        self.ffn = nn.ModuleList(nn.ModuleDict(dict(c1=nn.Conv1d(d, d, 1), c2=nn.Conv1d(d, d, 1))) for _ in range(blocks))
        self.last_ln = nn.LayerNorm(d, eps=1e-8)
        self.register_buffer("causal", torch.ones(maxlen, maxlen, dtype=torch.bool).triu(1))
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_normal_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Embedding):
                nn.init.xavier_normal_(m.weight)

    def features(self, seqs):
        pad = (seqs == 0).unsqueeze(-1)
        x = self.item(seqs) * self.item.embedding_dim ** 0.5
        x = self.drop(x + self.pos.weight[:seqs.size(1)].unsqueeze(0))
        x = x.masked_fill(pad, 0.)
        for ln, attn, fln, ffn in zip(self.attn_ln, self.attn, self.ffn_ln, self.ffn):
            q = ln(x)
            x = attn(q, x, x, attn_mask=self.causal, need_weights=False)[0] + x
            x = fln(x)
            h = self.drop(ffn["c2"](F.relu(self.drop(ffn["c1"](x.transpose(1, 2)))))).transpose(1, 2)
            x = (h + x).masked_fill(pad, 0.)
        return self.last_ln(x)

    def loss(self, batch):
        seqs, pos, neg = batch
        f = self.features(seqs)
        lp = (f * self.item(pos)).sum(-1)
        ln_ = (f * self.item(neg)).sum(-1)
        keep = pos != 0
        lp, ln_ = lp[keep], ln_[keep]
        return F.binary_cross_entropy_with_logits(lp, torch.ones_like(lp)) + \
            F.binary_cross_entropy_with_logits(ln_, torch.zeros_like(ln_))

    def scores(self, seqs):
        return self.features(seqs)[:, -1] @ self.item.weight[1:].t()

    def smoothed(self):
        return [self.item.weight]


class GRU4Rec(nn.Module):
    def __init__(self, n_items, d=D, hidden=64, dropout=0.4):
        super().__init__()
        self.item = nn.Embedding(n_items + 1, d, padding_idx=0)
        self.drop = nn.Dropout(dropout)
        self.gru = nn.GRU(d, hidden, 1, bias=False, batch_first=True)
        self.dense = nn.Linear(hidden, d)
        nn.init.xavier_normal_(self.item.weight)
        nn.init.xavier_uniform_(self.gru.weight_hh_l0)
        nn.init.xavier_uniform_(self.gru.weight_ih_l0)

    def features(self, seqs):
        last = (seqs != 0).sum(1) - 1
        out = self.dense(self.gru(self.drop(self.item(seqs)))[0])
        return out[torch.arange(seqs.size(0)), last]

    def loss(self, batch):
        seqs, pos, neg = batch
        f = self.features(seqs)
        return F.softplus((f * self.item(neg)).sum(-1) - (f * self.item(pos)).sum(-1)).mean()

    def scores(self, seqs):
        return self.features(seqs) @ self.item.weight[1:].t()

    def smoothed(self):
        return [self.item.weight]


class BERT4Rec(nn.Module):
    def __init__(self, n_items, d=D, blocks=2, heads=4, dropout=0.2, maxlen=MAXLEN):
        super().__init__()
        self.item = nn.Embedding(n_items + 2, d, padding_idx=0)
        self.pos = nn.Embedding(maxlen, d)
        self.ln = nn.LayerNorm(d)
        self.drop = nn.Dropout(dropout)
        layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout, activation="gelu", batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, blocks)
        self.fc = nn.Linear(d, n_items + 2)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.xavier_normal_(m.weight)
                m.weight.data.clamp_(-0.02, 0.02)
                if getattr(m, "bias", None) is not None:
                    nn.init.zeros_(m.bias)

    def logits(self, seqs):
        x = self.drop(self.ln(self.item(seqs) + self.pos.weight[:seqs.size(1)].unsqueeze(0)))
        return self.fc(self.encoder(x, src_key_padding_mask=seqs == 0))

    def loss(self, batch):
        seqs, masks, labels = batch
        return F.cross_entropy(self.logits(seqs)[masks], labels)

    def scores(self, seqs):
        return self.logits(seqs)[:, -1, 2:]

    def smoothed(self):
        return [self.item.weight, self.fc.weight]


# --------------------------------------------------------------------------------- FLOPs (per step)
# Forward multiply-adds counted as 2 FLOPs; training = 3 x forward (backward: input and weight grads).
# SASRec, B sequences x L = 50 padded positions, d = 64, 2 blocks:
#   3 * B*L * [2 * (12 d^2 + 4 L d) + 4 d]      (QKV 6d^2, out 2d^2, FFN 4d^2, QK^T and AV 4Ld; pos/neg dots)
# GRU4Rec, B prefixes x T = the batch's padded length, d = h = 64:
#   3 * [B*T * (6 h (d + h) + 2 h d) + 4 B d]   (three gates' input and recurrent matmuls, dense; dots)
# BERT4Rec, B x L = 50, d = 64, V = items + 2, 2 layers:
#   3 * B*L * [2 * (24 d^2 + 4 L d) + 2 d V]    (QKV+out 8d^2, FFN 16d^2, attention 4Ld; output layer at
#                                                every position, as the authors compute it)

def flops_sasrec(b, L=MAXLEN, d=D):
    return 3 * b * L * (2 * (12 * d * d + 4 * L * d) + 4 * d)


def flops_gru4rec(b, T, d=D, h=64):
    return 3 * (b * T * (6 * h * (d + h) + 2 * h * d) + 4 * b * d)


def flops_bert4rec(b, V, L=MAXLEN, d=D):
    return 3 * b * L * (2 * (24 * d * d + 4 * L * d) + 2 * d * V)


# ---------------------------------------------------------------------------------- epoch batches

class SASRecData:
    batch = 512

    def __init__(self, train, n_items):
        self.unseen = Unseen(train, n_items)
        self.seqs = left_pad([s[:-1] for s in train], MAXLEN, 1)
        self.pos = left_pad([s[1:] for s in train], MAXLEN, 1)
        self.users = np.repeat(np.arange(len(train))[:, None], MAXLEN, 1)

    def epoch(self, rng):
        neg = np.where(self.pos != 0, self.unseen.draw(self.users, rng).reshape(self.pos.shape) + 1, 0)
        order = rng.permutation(len(self.seqs))
        out = []
        for i in range(0, len(order), self.batch):
            o = order[i:i + self.batch]
            out.append(((torch.from_numpy(self.seqs[o]), torch.from_numpy(self.pos[o]), torch.from_numpy(neg[o])),
                        len(o), flops_sasrec(len(o))))
        return out


class GRU4RecData:
    batch = 512

    def __init__(self, train, n_items):
        self.unseen = Unseen(train, n_items)
        inputs, targets, users = [], [], []
        for u, s in enumerate(train):
            for k in range(2, len(s) + 1):
                inputs.append(s[:k - 1][-MAXLEN:])
                targets.append(s[k - 1])
                users.append(u)
        self.len = np.array([len(x) for x in inputs])
        self.seqs = np.zeros((len(inputs), MAXLEN), np.int64)  # right-padded
        for r, x in enumerate(inputs):
            self.seqs[r, :len(x)] = np.asarray(x) + 1
        self.targets = np.array(targets) + 1
        self.users = np.array(users)

    def epoch(self, rng):
        neg = self.unseen.draw(self.users, rng) + 1
        order = rng.permutation(len(self.seqs))
        out = []
        for i in range(0, len(order), self.batch):
            o = order[i:i + self.batch]
            t = int(self.len[o].max())
            out.append(((torch.from_numpy(np.ascontiguousarray(self.seqs[o, :t])), torch.from_numpy(self.targets[o]),
                         torch.from_numpy(neg[o])), len(o), flops_gru4rec(len(o), t)))
        return out


class BERT4RecData:
    batch = 256
    mask_prob = 0.5

    def __init__(self, train, n_items):
        self.seqs = left_pad(train, MAXLEN, 2)
        self.V = n_items + 2

    def epoch(self, rng):
        order = rng.permutation(len(self.seqs))
        out = []
        for i in range(0, len(order), self.batch):
            s = torch.from_numpy(self.seqs[order[i:i + self.batch]])
            masks = (torch.from_numpy(rng.random(s.shape)) < self.mask_prob) & (s != 0)
            out.append(((s.masked_fill(masks, 1), masks, s[masks]), len(s), flops_bert4rec(len(s), self.V)))
        return out


# ------------------------------------------------------------------------------------- evaluation

def evaluate(model, name, users, n_items, block=100):
    """Full ranking of the test items: history = every item but the last, masked to -inf."""
    hist = [s[:-1] for s in users]
    if name == "sasrec":
        seqs = left_pad(hist, MAXLEN, 1)
    elif name == "bert4rec":
        seqs = np.concatenate([left_pad(hist, MAXLEN - 1, 2), np.ones((len(hist), 1), np.int64)], 1)
    else:
        seqs = np.zeros((len(hist), MAXLEN), np.int64)
        for r, h in enumerate(hist):
            h = h[-MAXLEN:]
            seqs[r, :len(h)] = np.asarray(h) + 1
    target = torch.tensor([s[-1] for s in users])
    batches = []
    for i in range(0, len(users), block):
        rows = np.concatenate([np.full(len(h), r) for r, h in enumerate(hist[i:i + block])])
        cols = np.concatenate([h for h in hist[i:i + block]])
        batches.append((torch.from_numpy(seqs[i:i + block]), torch.from_numpy(rows), torch.from_numpy(cols),
                        target[i:i + block]))
    model.eval()
    hr = torch.zeros(3)
    ndcg = torch.zeros(2)
    t0 = time.perf_counter()
    with torch.no_grad():
        for s, rows, cols, tgt in batches:
            scores = model.scores(s)
            scores[rows, cols] = -math.inf
            top = scores.topk(10, dim=1).indices
            rank = (top == tgt[:, None]).float()
            hit = rank.cumsum(1)
            hr += torch.stack([hit[:, 0].sum(), hit[:, 4].sum(), hit[:, 9].sum()])
            gain = rank / torch.log2(torch.arange(2, 12, dtype=torch.float))
            ndcg += torch.stack([gain[:, :5].sum(), gain.sum()])
    seconds = time.perf_counter() - t0
    model.train()
    n = len(users)
    return {"side": "pytorch", "model": name, "phase": "eval", "seconds": round(seconds, 4), "users": n,
            "items": n_items, "block": block, "hr@1": round(float(hr[0]) / n, 5), "hr@5": round(float(hr[1]) / n, 5),
            "hr@10": round(float(hr[2]) / n, 5), "ndcg@5": round(float(ndcg[0]) / n, 5),
            "ndcg@10": round(float(ndcg[1]) / n, 5)}


# -------------------------------------------------------------------------------------------- main

SETTINGS = {  # model class, data class, lr, betas (weight decay .1 throughout)
    "sasrec": (SASRec, SASRecData, 1e-3, (0.9, 0.98)),
    "gru4rec": (GRU4Rec, GRU4RecData, 1e-3, (0.9, 0.999)),
    "bert4rec": (BERT4Rec, BERT4RecData, 5e-4, (0.9, 0.95)),
}


def main():
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    users, n_items = load(data_file(args.data))
    train = [s[:-2] for s in users]
    model_cls, data_cls, lr, betas = SETTINGS[args.model]
    model = model_cls(n_items)
    data = data_cls(train, n_items)
    if args.sevo:
        pads = 2 if args.model == "bert4rec" else 1
        smoother = Smoother(item_graph(train, n_items, pads))
        special = model.smoothed()
        ids = {id(p) for p in special}
        groups = [{"params": [p], "smoother": smoother} for p in special]
        groups.append({"params": [p for p in model.parameters() if id(p) not in ids]})
        opt = AdamWSEvo(groups, lr=lr, betas=betas, weight_decay=0.1)
    else:
        opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=betas, weight_decay=0.1)
    model.train()
    for epoch in range(1, args.epochs + 1):
        batches = data.epoch(rng)
        run = batches[:args.max_batches] if args.max_batches else batches
        total, count, flops = 0.0, 0, 0
        t0 = time.perf_counter()
        for batch, size, fl in run:
            loss = model.loss(batch)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * size
            count += size
            flops += fl
        seconds = time.perf_counter() - t0
        line = {"side": "pytorch", "model": args.model, "epoch": epoch,
                "seconds": round(seconds * len(batches) / len(run), 4), "batches": len(batches),
                "loss": round(total / count, 6), "gflops": round(flops / seconds / 1e9, 2), "sevo": args.sevo,
                "threads": args.threads, "coretype": os.environ.get("OPENBLAS_CORETYPE", "")}
        if len(run) < len(batches):
            line.update(timed_batches=len(run), timed_seconds=round(seconds, 4))
        print(json.dumps(line), flush=True)
    if args.eval:
        print(json.dumps(evaluate(model, args.model, users, n_items)), flush=True)
    print(json.dumps({"side": "pytorch", "model": args.model, "torch": torch.__version__,
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}), flush=True)


if __name__ == "__main__":
    main()
