using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Splits;
using EmbedRec.Evaluation;
using EmbedRec.Models;
using EmbedRec.Models.Sequential;
using EmbedRec.Objectives;
using EmbedRec.Tensors;
using EmbedRec.Training;
using Xunit;

namespace EmbedRec.Tests.Models;

/// <summary>
/// The sequential models against the padded computation of the SEvo authors' code, composed here from plain ops, and the
/// objectives' batches, scoring fallbacks and configuration errors.
/// </summary>
public sealed class SequentialModelTests
{
    private static readonly Lazy<DataSplit> Split = new(() =>
        new LeaveOneOutSplit().Split(SyntheticData.Generate(new SyntheticOptions { Users = 120, Items = 60, Clusters = 4, MeanLength = 12 })));

    private static Dictionary<string, Tensor> Params(ITrainable m) => m.Network.NamedParameters().ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Gives every zero-initialized bias random values so that the padding keys (= biases) matter.</summary>
    private static void RandomizeBiases(ITrainable m, Rng rng)
    {
        foreach (var (name, p) in m.Network.NamedParameters())
            if (name.EndsWith("bias", StringComparison.Ordinal)) rng.FillNormal(p.Span, 0f, 0.5f);
    }

    private static Tensor Rows(Tensor t, int start, int count) => Ops.Slice(t, 0, start, count);

    /// <summary>Attention of one padded sequence [T, E]: heads, causal mask, hidden keys (true = hidden).</summary>
    private static Tensor PaddedAttention(Tensor q, Tensor k, Tensor v, int heads, bool causal, bool[] hiddenKeys)
    {
        int t = q.Dim(0), e = q.Dim(1), dh = e / heads;
        var outs = new List<Tensor>();
        for (int h = 0; h < heads; h++)
        {
            var qh = Ops.Slice(q, 1, h * dh, dh);
            var kh = Ops.Slice(k, 1, h * dh, dh);
            var vh = Ops.Slice(v, 1, h * dh, dh);
            var s = Ops.MulScalar(Ops.MatMul(qh, kh, false, true), 1f / MathF.Sqrt(dh));
            var mask = new bool[t * t];
            for (int i = 0; i < t; i++) for (int j = 0; j < t; j++) mask[i * t + j] = (causal && j > i) || hiddenKeys[j];
            outs.Add(Ops.MatMul(Ops.Softmax(Ops.MaskedFill(s, mask, [t, t], float.NegativeInfinity)), vh));
        }
        return heads == 1 ? outs[0] : Ops.Concat(outs, 1);
    }

    private static SequenceInput Input(ISequenceModel m, int[][] seqs, int? suffix = null)
    {
        var b = new SequenceInput.Builder(m.MaxLength, m.TokenOffset);
        foreach (var s in seqs) b.Add(s, suffix);
        return b.Build();
    }

    [Fact]
    public void SasRecEqualsThePaddedReference()
    {
        var rng = new Rng(3);
        var model = new SasRec(10, 30, new SasRecOptions { Dim = 8, Blocks = 2, Heads = 2, MaxLength = 6, Dropout = 0.2f }, rng, new float[30]);
        RandomizeBiases(model, rng);
        model.Network.Eval();
        var p = Params(model);
        int[][] seqs = [[3, 7, 1], [5], [2, 9, 11, 4, 8, 6, 12, 0]]; // the last is truncated to its 6 most recent
        var input = Input(model, seqs);
        var packed = model.Encode(input, lastOnly: false).ToArray();
        int d = 8, T = 6, row = 0;
        using var _ = GradMode.NoGrad();
        foreach (var s in seqs)
        {
            var items = s.Length > T ? s[^T..] : s;
            int pads = T - items.Length;
            var tokens = Enumerable.Repeat(0, pads).Concat(items.Select(i => i + 1)).ToArray();
            var hidden = tokens.Select(t => t == 0).ToArray();
            var x = Ops.Add(Ops.MulScalar(Ops.Gather(p["item.weight"], tokens), MathF.Sqrt(d)), p["position.weight"]);
            var keep = Tensor.FromArray(hidden.Select(h => h ? 0f : 1f).ToArray(), T, 1);
            x = Ops.Mul(x, keep);
            for (int l = 0; l < 2; l++)
            {
                string b = $"block{l}.";
                var w = p[b + "in_proj_weight"]; var bias = p[b + "in_proj_bias"];
                var q = Ops.Linear(Ops.LayerNorm(x, p[b + "attn_norm.weight"], p[b + "attn_norm.bias"], 1e-8f), Rows(w, 0, d), Rows(bias, 0, d));
                var k = Ops.Linear(x, Rows(w, d, d), Rows(bias, d, d));
                var v = Ops.Linear(x, Rows(w, 2 * d, d), Rows(bias, 2 * d, d));
                // The reference masks only later keys: padding keys enter the softmax.
                var a = PaddedAttention(q, k, v, 2, causal: true, new bool[T]);
                x = Ops.Add(Ops.Linear(a, p[b + "out_proj.weight"], p[b + "out_proj.bias"]), x);
                x = Ops.LayerNorm(x, p[b + "ffn_norm.weight"], p[b + "ffn_norm.bias"], 1e-8f);
                var f = Ops.Linear(Ops.Relu(Ops.Linear(x, p[b + "ffn1.weight"], p[b + "ffn1.bias"])), p[b + "ffn2.weight"], p[b + "ffn2.bias"]);
                x = Ops.Mul(Ops.Add(f, x), keep);
            }
            var y = Ops.LayerNorm(x, p["last_norm.weight"], p["last_norm.bias"], 1e-8f).ToArray();
            for (int r = 0; r < items.Length; r++, row++)
                for (int c = 0; c < d; c++)
                    Assert.Equal(y[(pads + r) * d + c], packed[row * d + c], 4);
        }
        Assert.Equal(input.Packing.Tokens, row);
    }

    [Fact]
    public void Bert4RecEqualsThePaddedReference()
    {
        var rng = new Rng(4);
        var model = new Bert4Rec(10, 30, new Bert4RecOptions { Dim = 8, Blocks = 2, Heads = 4, MaxLength = 5, Dropout = 0.1f }, rng, new float[30]);
        RandomizeBiases(model, rng);
        model.Network.Eval();
        var p = Params(model);
        int[][] seqs = [[3, 7, 1], [5, 2, 9, 11, 4, 8]];
        var input = Input(model, seqs, Bert4Rec.MaskToken); // last 4 items + mask
        var last = model.Encode(input, lastOnly: true).ToArray();
        int d = 8, T = 5;
        using var _ = GradMode.NoGrad();
        for (int s = 0; s < seqs.Length; s++)
        {
            var items = seqs[s].Length > T - 1 ? seqs[s][^(T - 1)..] : seqs[s];
            int pads = T - 1 - items.Length;
            var tokens = Enumerable.Repeat(0, pads).Concat(items.Select(i => i + 2)).Append(Bert4Rec.MaskToken).ToArray();
            var hidden = tokens.Select(t => t == 0).ToArray();
            var x = Ops.LayerNorm(Ops.Add(Ops.Gather(p["item.weight"], tokens), p["position.weight"]), p["layernorm.weight"], p["layernorm.bias"]);
            for (int l = 0; l < 2; l++)
            {
                string b = $"layer{l}.";
                var w = p[b + "in_proj_weight"]; var bias = p[b + "in_proj_bias"];
                var a = PaddedAttention(Ops.Linear(x, Rows(w, 0, d), Rows(bias, 0, d)), Ops.Linear(x, Rows(w, d, d), Rows(bias, d, d)),
                    Ops.Linear(x, Rows(w, 2 * d, d), Rows(bias, 2 * d, d)), 4, causal: false, hidden);
                x = Ops.LayerNorm(Ops.Add(x, Ops.Linear(a, p[b + "out_proj.weight"], p[b + "out_proj.bias"])), p[b + "norm1.weight"], p[b + "norm1.bias"]);
                var f = Ops.Linear(Ops.Gelu(Ops.Linear(x, p[b + "linear1.weight"], p[b + "linear1.bias"])), p[b + "linear2.weight"], p[b + "linear2.bias"]);
                x = Ops.LayerNorm(Ops.Add(x, f), p[b + "norm2.weight"], p[b + "norm2.bias"]);
            }
            var y = x.ToArray();
            for (int c = 0; c < d; c++) Assert.Equal(y[(T - 1) * d + c], last[s * d + c], 4);
        }
    }

    [Fact]
    public void Gru4RecEqualsTheGruModuleOnEachSequence()
    {
        var rng = new Rng(5);
        var model = new Gru4Rec(10, 30, new Gru4RecOptions { Dim = 6, Hidden = 5, MaxLength = 4, EmbeddingDropout = 0.3f }, rng, new float[30]);
        model.Network.Eval();
        var p = Params(model);
        int[][] seqs = [[3, 7, 1], [5], [2, 9, 11, 4, 8]];
        var last = model.Encode(Input(model, seqs), lastOnly: true).ToArray();
        var gru = new EmbedRec.Tensors.Nn.GRU(6, 5, new Rng(1), bias: false);
        p["weight_ih_l0"].Span.CopyTo(gru.WeightIh.Span);
        p["weight_hh_l0"].Span.CopyTo(gru.WeightHh.Span);
        using var _ = GradMode.NoGrad();
        for (int s = 0; s < seqs.Length; s++)
        {
            var items = seqs[s].Length > 4 ? seqs[s][^4..] : seqs[s];
            var x = Ops.Reshape(Ops.Gather(p["item.weight"], items.Select(i => i + 1).ToArray()), 1, items.Length, 6);
            var y = Ops.Linear(gru.Forward(x).Last, p["dense.weight"], p["dense.bias"]).ToArray();
            for (int c = 0; c < 6; c++) Assert.Equal(y[c], last[s * 6 + c], 5);
        }
    }

    [Fact]
    public void InputsKeepTheMostRecentItemsAndTheirPaddedPositions()
    {
        var b = new SequenceInput.Builder(4, 1);
        b.Add([10, 11, 12, 13, 14, 15]);
        b.Add([20]);
        b.Add([30, 31, 32, 33], appendToken: 1);
        var input = b.Build();
        Assert.Equal(9, input.Packing.Tokens);
        Assert.Equal(new[] { 4, 1, 4 }, input.Packing.Lengths);
        Assert.Equal(new[] { 0, 3, 0 }, input.Packing.PadCounts);
        Assert.Equal(new[] { 0, 1, 2, 3, 3, 0, 1, 2, 3 }, input.Positions);
        Assert.Equal(new[] { 13, 14, 15, 16, 21, 32, 33, 34, 1 }, input.Tokens);
        Assert.Equal(new[] { 3, 4, 8 }, input.Packing.LastRows());
    }

    [Fact]
    public void NextItemBatchesPredictTheFollowingItemWithUnseenNegatives()
    {
        var split = Split.Value;
        var model = new SasRec(split.UserCount, split.ItemCount, new SasRecOptions { Dim = 8, MaxLength = 5 }, new Rng(1), new float[split.ItemCount]);
        var train = split.Train.ToUserItems();
        var objective = new NextItemObjective(new NextItemOptions(), model, new ObjectiveContext(split, train, 16, new Rng(2)));
        var seqs = UserSequences.From(split.Train);
        int batches = 0;
        foreach (var loss in objective.Epoch(new Rng(3)))
        {
            Assert.True(float.IsFinite(loss.Item()));
            batches++;
        }
        Assert.Equal(objective.StepsPerEpoch, batches);
        // The batch content, checked directly.
        var batch = typeof(NextItemObjective).GetMethod("Batches", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .Invoke(objective, [new Rng(4)]) is IEnumerable<TargetBatch> e ? e.First() : throw new InvalidOperationException();
        Assert.Equal(batch.Input.Packing.Tokens, batch.Targets.Length);
        Assert.Equal(batch.Targets.Length, batch.Negatives.Length);
        var users = Enumerable.Range(0, split.UserCount).Where(u => seqs.Degree(u) >= 2).ToHashSet();
        // Every sequence's targets are its inputs shifted by one: the token at row r + 1 is the target at row r.
        for (int s = 0; s < batch.Input.Count; s++)
        {
            int off = batch.Input.Packing.Offsets[s], len = batch.Input.Packing.Lengths[s];
            for (int r = 0; r + 1 < len; r++) Assert.Equal(batch.Input.Tokens[off + r + 1] - 1, batch.Targets[off + r]);
        }
        Assert.All(batch.Negatives, n => Assert.InRange(n, 0, split.ItemCount - 1));
    }

    [Fact]
    public void PrefixesAndMasksAreCountedAsTheCodeDoes()
    {
        var split = Split.Value;
        var train = split.Train.ToUserItems();
        var seqs = UserSequences.From(split.Train);
        var gru = new Gru4Rec(split.UserCount, split.ItemCount, new Gru4RecOptions { Dim = 8, Hidden = 8 }, new Rng(1), new float[split.ItemCount]);
        var last = new LastItemObjective(new LastItemOptions(), gru, new ObjectiveContext(split, train, 64, new Rng(2)));
        Assert.Equal(Enumerable.Range(0, split.UserCount).Sum(u => Math.Max(0, seqs.Degree(u) - 1)), last.SampleCount);

        var bert = new Bert4Rec(split.UserCount, split.ItemCount, new Bert4RecOptions { Dim = 8, Heads = 2, MaxLength = 10 }, new Rng(1), new float[split.ItemCount]);
        var masked = new MaskedItemObjective(new MaskedItemOptions { MaskProbability = 0.3f }, bert, new ObjectiveContext(split, train, 1000, new Rng(2)));
        var batch = typeof(MaskedItemObjective).GetMethod("Batches", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .Invoke(masked, [new Rng(4)]) is IEnumerable<MaskedBatch> e ? e.First() : throw new InvalidOperationException();
        double fraction = batch.Rows.Length / (double)batch.Input.Packing.Tokens;
        Assert.InRange(fraction, 0.25, 0.35);
        Assert.All(batch.Rows, r => Assert.Equal(Bert4Rec.MaskToken, batch.Input.Tokens[r]));
        Assert.All(batch.Labels, l => Assert.InRange(l, 2, split.ItemCount + 1));
        Assert.True(float.IsFinite(masked.Loss(batch).Item()));
    }

    [Theory]
    [InlineData("sasrec", "next_item")]
    [InlineData("gru4rec", "last_item")]
    [InlineData("bert4rec", "next_item")] // the output layer's bias, sliced to the item rows
    public void FullSoftmaxLossesTrain(string model, string objective)
    {
        var cfg = new RunConfig().With("model", model).With("dataset", "synthetic").With("objective", objective).With("objective.loss", "ce")
            .With("model.embedding_size", "8").With("model.max_len", "8").With("epochs", "3").With("eval_step", "3").With("learning_rate", "0.01")
            .With("train_batch_size", "32").With("topk", "10").With("metrics", "ndcg");
        if (model == "bert4rec") cfg.Set("model.heads", "2");
        var r = Experiment.Train(cfg, Split.Value);
        Assert.All(r.History, h => Assert.True(float.IsFinite((float)h.Loss)));
        Assert.True(r.History[^1].Loss < r.History[0].Loss, $"loss {r.History[0].Loss} → {r.History[^1].Loss}");
        Assert.True(r.History[0].Loss < Math.Log(Split.Value.ItemCount + 2) + 0.5, "a full-softmax loss starts near ln(items)");
    }

    [Fact]
    public void AnEmptyHistoryFallsBackToPopularityAndIsCounted()
    {
        var split = Split.Value;
        int n = split.ItemCount;
        var pop = SequenceScorer.Popularity(split.Train);
        var model = new SasRec(split.UserCount, n, new SasRecOptions { Dim = 8, MaxLength = 5 }, new Rng(1), pop);
        model.Network.Eval();
        var scores = new float[2 * n];
        model.Score([0, 1], ScoringContext.ForValidation(split), scores);
        Assert.NotEqual(pop, scores.AsSpan(0, n).ToArray());
        Assert.Equal(0, model.EmptyHistoryUsers);
        var empty = new ScoringContext(UserSequences.Empty(split.UserCount, n), split.Train.ToUserItems());
        model.Score([0, 1], empty, scores);
        Assert.Equal(pop, scores.AsSpan(n, n).ToArray());
        Assert.Equal(2, model.EmptyHistoryUsers);
    }

    [Fact]
    public void SevoSmoothsBothOfBert4RecsItemTablesWithPaddingAndMaskIsolated()
    {
        var split = Split.Value;
        var cfg = new RunConfig().With("model", "bert4rec").With("dataset", "synthetic").With("optimizer", "adamw").With("optimizer.sevo.graph", "ii")
            .With("model.embedding_size", "8").With("model.heads", "2");
        var built = Experiment.Build(RunSpec.Resolve(cfg), split);
        var groups = SevoSetup.Groups(RunSpec.Resolve(cfg).Sevo, built.Model, split);
        Assert.Equal(2, groups.Count);
        foreach (var g in groups)
        {
            Assert.Equal(split.ItemCount + 2, g.Graph.RowCount);
            Assert.Equal(0, g.Graph.RowPtr[2]); // rows 0 (padding) and 1 (mask) have no edges
        }
    }

    [Fact]
    public void Bert4RecLayersStartFromOneInProjectionAndInitializersLeaveTheOutputLayer()
    {
        var split = Split.Value;
        var cfg = new RunConfig().With("model", "bert4rec").With("dataset", "synthetic").With("model.embedding_size", "8").With("model.heads", "2")
            .With("init", "normal").With("init.std", "0.5");
        var model = (Bert4Rec)Experiment.Build(RunSpec.Resolve(cfg), split).Model;
        var p = Params(model);
        Assert.Equal(p["layer0.in_proj_weight"].ToArray(), p["layer1.in_proj_weight"].ToArray());
        Assert.False(p["layer0.in_proj_weight"].Equals(p["layer1.in_proj_weight"])); // separate parameters
        // The normal initializer filled the item embedding (σ 0.5) but not the output layer (Xavier-normal clamped to ±0.02).
        Assert.Contains(p["item.weight"].ToArray().Skip(2 * 8), v => Math.Abs(v) > 0.1f);
        Assert.All(p["fc.weight"].ToArray(), v => Assert.InRange(v, -0.02f, 0.02f));
    }

    [Theory]
    [InlineData("sasrec", "model.heads", "3", "heads = 3 must divide embedding_size = 64")]
    [InlineData("bert4rec", "model.heads", "5", "heads = 5 must divide embedding_size = 64")]
    [InlineData("sasrec", "model.max_len", "0", "model.max_len")]
    [InlineData("bert4rec", "objective.mask_prob", "1", "objective.mask_prob")]
    [InlineData("bert4rec", "objective.mask_prob", "0", "objective.mask_prob")]
    public void BadSettingsAreNamed(string model, string key, string value, string expected)
    {
        var cfg = new RunConfig().With("model", model).With("dataset", "synthetic").With(key, value);
        var ex = Record.Exception(() => Experiment.Build(RunSpec.Resolve(cfg), Split.Value));
        Assert.NotNull(ex);
        Assert.Contains(expected, ex!.Message);
    }
}
