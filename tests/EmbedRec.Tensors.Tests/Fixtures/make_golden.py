#!/usr/bin/env python3
"""Generates golden.json: reference values from PyTorch for EmbedRec's module and optimizer tests.

Run once with Debian's PyTorch (python3-torch, 1.13 CPU):  /usr/bin/python3 make_golden.py
Each case stores its inputs, the module's state dict (PyTorch names), the output, and the
gradients of L = sum(out * w) for a stored random w, so the C# tests need no PyTorch.
"""
import json
import torch

torch.manual_seed(20261122)
torch.set_default_dtype(torch.float32)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def pack(t):
    return {"shape": list(t.shape), "data": flat(t)}


def module_case(module, inputs, forward, extra=None):
    for x in inputs.values():
        x.requires_grad_(True)
    state = {k: pack(v) for k, v in module.state_dict().items() if v.dtype == torch.float32}
    out = forward(module, inputs)
    outs = out if isinstance(out, tuple) else (out,)
    weights = [torch.randn_like(o) for o in outs]
    loss = sum((o * w).sum() for o, w in zip(outs, weights))
    loss.backward()
    case = {
        "inputs": {k: pack(v) for k, v in inputs.items()},
        "state": state,
        "outputs": [pack(o) for o in outs],
        "loss_weights": [pack(w) for w in weights],
        "input_grads": {k: pack(v.grad) for k, v in inputs.items()},
        "param_grads": {k: pack(p.grad) for k, p in module.named_parameters()},
    }
    if extra:
        case.update(extra(module))
    return case


cases = {}

ln = torch.nn.LayerNorm(5)
with torch.no_grad():
    ln.weight.copy_(torch.randn(5)); ln.bias.copy_(torch.randn(5))
cases["layer_norm"] = module_case(ln, {"x": torch.randn(2, 3, 5)}, lambda m, i: m(i["x"]))

mha = torch.nn.MultiheadAttention(8, 2, batch_first=True)
with torch.no_grad():
    mha.in_proj_bias.copy_(0.1 * torch.randn(24)); mha.out_proj.bias.copy_(0.1 * torch.randn(8))
causal = torch.triu(torch.ones(4, 4, dtype=torch.bool), diagonal=1)
pad = torch.tensor([[False, False, False, False], [False, False, False, True]])
cases["attention"] = module_case(
    mha, {"x": torch.randn(2, 4, 8)},
    lambda m, i: m(i["x"], i["x"], i["x"], attn_mask=causal, key_padding_mask=pad, need_weights=False)[0])
cases["attention"]["key_padding"] = [bool(v) for v in pad.reshape(-1).tolist()]

for bias in (True, False):
    gru = torch.nn.GRU(3, 4, batch_first=True, bias=bias)
    cases["gru" + ("" if bias else "_nobias")] = module_case(
        gru, {"x": torch.randn(2, 5, 3), "h0": torch.randn(1, 2, 4)},
        lambda m, i: m(i["x"], i["h0"]))

conv = torch.nn.Conv2d(2, 3, 3, stride=2, padding=1)
cases["conv2d"] = module_case(conv, {"x": torch.randn(2, 2, 5, 6)}, lambda m, i: m(i["x"]))

bn = torch.nn.BatchNorm2d(2)
with torch.no_grad():
    bn.weight.copy_(torch.rand(2) + 0.5); bn.bias.copy_(torch.randn(2))
cases["batch_norm2d_train"] = module_case(
    bn, {"x": torch.randn(3, 2, 2, 3)}, lambda m, i: m.train()(i["x"]),
    extra=lambda m: {"running_after": {"running_mean": pack(m.running_mean), "running_var": pack(m.running_var)}})
bn_eval = torch.nn.BatchNorm2d(2)
with torch.no_grad():
    bn_eval.weight.copy_(torch.rand(2) + 0.5); bn_eval.bias.copy_(torch.randn(2))
    bn_eval.running_mean.copy_(torch.randn(2)); bn_eval.running_var.copy_(torch.rand(2) + 0.5)
cases["batch_norm2d_eval"] = module_case(bn_eval, {"x": torch.randn(3, 2, 2, 3)}, lambda m, i: m.eval()(i["x"]))


def optimizer_case(make, steps=3):
    p = torch.nn.Parameter(torch.randn(6))
    start = p.detach().clone()
    opt = make([p])
    grads, after = [], []
    for _ in range(steps):
        g = torch.randn(6)
        g[1] = 0.0
        opt.zero_grad()
        p.grad = g.clone()
        opt.step()
        grads.append(flat(g))
        after.append(flat(p))
    return {"start": flat(start), "grads": grads, "after": after}


cases["adam"] = optimizer_case(lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.98), eps=1e-8, weight_decay=0.1))
cases["adamw"] = optimizer_case(lambda ps: torch.optim.AdamW(ps, lr=0.01, betas=(0.9, 0.98), eps=1e-8, weight_decay=0.1))
cases["sgd_momentum"] = optimizer_case(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True))

# Fused sequence ops (Ops.LinearCrossEntropy, Ops.PackedGru); seeded on their own so the cases above stay as they were.
torch.manual_seed(20261202)

proj = torch.nn.Linear(6, 11)
lce_labels = torch.randint(0, 11, (7,))
cases["linear_cross_entropy"] = module_case(
    proj, {"h": torch.randn(7, 6)}, lambda m, i: torch.nn.functional.cross_entropy(m(i["h"]), lce_labels))
cases["linear_cross_entropy"]["labels"] = [int(v) for v in lce_labels.tolist()]

gru_lengths = torch.tensor([3, 6, 1, 4, 6])
for bias in (True, False):
    gru = torch.nn.GRU(3, 4, batch_first=True, bias=bias)
    name = "packed_gru" + ("" if bias else "_nobias")
    cases[name] = module_case(
        gru, {"x": torch.randn(5, 6, 3)},
        lambda m, i: m(torch.nn.utils.rnn.pack_padded_sequence(i["x"], gru_lengths, batch_first=True, enforce_sorted=False))[1][0])
    cases[name]["lengths"] = [int(v) for v in gru_lengths.tolist()]

cases["_generator"] = {"torch": torch.__version__, "script": "make_golden.py"}
with open("golden.json", "w") as f:
    json.dump(cases, f, indent=None, separators=(",", ":"))
print("wrote golden.json with", len(cases) - 1, "cases")
