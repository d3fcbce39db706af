using EmbedRec.Data;
using EmbedRec.Data.Sampling;
using EmbedRec.Evaluation;
using EmbedRec.Losses;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Training;
using Xunit;

namespace EmbedRec.Tests.Models;

public class DirectSpecTests
{
    private static Tensor Param(Rng rng, int b, int d)
    {
        var t = Tensor.RandomNormal(rng, [b, d], 0, 0.5f);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>Central differences in double over L = Σ w ⊙ f(H).</summary>
    private static void CheckGradient(Func<Tensor, Tensor> f, Tensor h)
    {
        var w = Tensor.RandomUniform(new Rng(3), f(h.Detach()).Shape.ToArray(), -1, 1);
        h.ZeroGrad();
        Ops.Sum(Ops.Mul(f(h), w)).Backward();
        var analytic = h.Grad!.ToArray();
        double Eval()
        {
            using var _ = GradMode.NoGrad();
            var y = f(h).ToArray();
            return y.Select((v, i) => (double)v * w.Span[i]).Sum();
        }
        var data = h.Span;
        for (int i = 0; i < data.Length; i++)
        {
            float orig = data[i];
            data[i] = orig + 1e-2f; double fp = Eval();
            data[i] = orig - 1e-2f; double fm = Eval();
            data[i] = orig;
            double numeric = (fp - fm) / 2e-2;
            Assert.True(Math.Abs(numeric - analytic[i]) <= 3e-3 + 3e-2 * Math.Abs(numeric), $"element {i}: analytic {analytic[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void TransformsHaveCorrectGradients()
    {
        var rng = new Rng(1);
        CheckGradient(h => SpectralTransform.DirectSpec(h, 0.5f), Param(rng, 5, 3));
        CheckGradient(h => SpectralTransform.DirectSpecPlus(h, 0.8f, SpectralTransform.ConstantGamma(5, 3f)), Param(rng, 5, 3));
        var gamma = Tensor.FromArray(Enumerable.Range(0, 16).Select(i => 1f + (i % 3)).ToArray(), 4, 4);
        CheckGradient(h => SpectralTransform.DirectSpecPlus(h, 1f, gamma), Param(rng, 4, 3));
        CheckGradient(h => SpectralTransform.NormShrink(h, 0.03f), Param(rng, 4, 3));
        CheckGradient(h => SpectralTransform.DirectSpecPlus(Ops.L2Normalize(h), 1f, SpectralTransform.ConstantGamma(4, 3f)), Param(rng, 4, 3));
        CheckGradient(h => SpectralTransform.DirectSpecPlus(h, 0.8f, 3f), Param(rng, 5, 3));
        // The scalar-τ form equals the Γ-matrix form.
        var x = Param(rng, 6, 4);
        var viaMatrix = SpectralTransform.DirectSpecPlus(x, 0.7f, SpectralTransform.ConstantGamma(6, 2.5f)).ToArray();
        var viaScalar = SpectralTransform.DirectSpecPlus(x, 0.7f, 2.5f).ToArray();
        for (int i = 0; i < viaMatrix.Length; i++) Assert.Equal(viaMatrix[i], viaScalar[i], 5);
    }

    [Fact]
    public void RepeatedDirectSpecStepsRaiseEffectiveRankTowardD()
    {
        // A collapsed matrix: rows mostly along one direction.
        var rng = new Rng(2);
        int b = 64, d = 8;
        var h = new float[b * d];
        for (int r = 0; r < b; r++)
            for (int j = 0; j < d; j++) h[r * d + j] = (j == 0 ? 1f : 0.05f) * (float)rng.NextNormal();
        double before = Spectrum.EffectiveRank(h, d);
        var t = Tensor.FromArray(h, b, d);
        using (GradMode.NoGrad())
            for (int step = 0; step < 200; step++)
            {
                t = Ops.L2Normalize(t);
                t = SpectralTransform.DirectSpec(t, 0.01f); // α below 1/σ₁² keeps σ − ασ³ monotone
            }
        double after = Spectrum.EffectiveRank(t.ToArray(), d);
        Assert.True(before < 3, $"start erank {before}");
        Assert.True(after > 7, $"erank {before} → {after}");
    }

    [Fact]
    public void StaticGammaMatchesAHandComputedMask()
    {
        // Users: a {x}, b {x, y}, c {z}; batch [a, b, c, a]: a~b share x, a~a itself; c unrelated.
        var log = new LogBuilder();
        foreach (var (u, i) in new[] { ("a", "x"), ("b", "x"), ("b", "y"), ("c", "z") }) log.Add(u, i);
        var sets = log.Build().ToUserItems();
        var g = SpectralTransform.StaticGamma([0, 1, 2, 0], sets, 2.5f, 3f).ToArray();
        float t0 = 2.5f, t1 = 3f;
        Assert.Equal(new[]
        {
            t0, t0, t1, t0,
            t0, t0, t1, t0,
            t1, t1, t0, t1,
            t0, t0, t1, t0,
        }, g);
    }

    [Fact]
    public void StaticGammaMatchesTheDefinitionOnARandomGraphAcrossBitsetWords()
    {
        // 150 rows drawn from 60 users span three 64-bit words, so duplicates are included.
        var rng = new Rng(7);
        var log = new LogBuilder();
        for (int u = 0; u < 60; u++)
            for (int k = 0; k < 1 + u % 4; k++) log.Add($"u{u}", $"i{rng.NextInt(400)}");
        var sets = log.Build().ToUserItems();
        var nodes = new int[150];
        for (int i = 0; i < nodes.Length; i++) nodes[i] = rng.NextInt(sets.UserCount);
        var g = SpectralTransform.StaticGamma(nodes, sets, 1f, 2f).ToArray();
        int b = nodes.Length, related = 0;
        for (int i = 0; i < b; i++)
            for (int j = 0; j < b; j++)
            {
                bool near = nodes[i] == nodes[j] || sets.Of(nodes[i]).ToArray().Intersect(sets.Of(nodes[j]).ToArray()).Any();
                Assert.Equal(near ? 1f : 2f, g[i * b + j]);
                if (near && nodes[i] != nodes[j]) related++;
            }
        Assert.True(related > 0, "the random graph should have related pairs");
        Assert.Throws<ArgumentOutOfRangeException>(() => SpectralTransform.StaticGamma([0, sets.UserCount], sets, 1f, 2f));
    }

    [Fact]
    public void LearnedGammaIsTheReciprocalOfTheLearnedTemperature()
    {
        var h = Tensor.FromArray([1f, 0f, 0f, 1f, 0.6f, 0.8f], 3, 2);
        var w = Tensor.FromArray([0.5f, -1f, 2f, 0.25f], 4);
        var g = SpectralTransform.LearnedGamma(h, w).ToArray();
        float[] a = [0.5f, -1f, 0.5f * 0.6f - 0.8f], c = [2f, 0.25f, 2f * 0.6f + 0.25f * 0.8f];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                float temperature = 1f / (1f + MathF.Exp(-(a[i] + c[j])));
                Assert.Equal(1f / temperature, g[i * 3 + j], 4);
            }
        Assert.Throws<ArgumentException>(() => SpectralTransform.LearnedGamma(h, Tensor.Zeros(3)));
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var h = Tensor.RandomNormal(new Rng(1), [4, 3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => SpectralTransform.DirectSpec(h, 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpectralTransform.ConstantGamma(4, -1f));
        var tau = new EmbedRec.Config.RunConfig().With("model", "mf").With("objective", "directspec+").With("objective.tau0", "0");
        Assert.Contains("'objective.tau0' must be > 0", Assert.Throws<FormatException>(() => RunSpec.Resolve(tau)).Message);
        var alpha = new EmbedRec.Config.RunConfig().With("model", "mf").With("objective", "directspec").With("objective.alpha", "-1");
        Assert.Contains("'objective.alpha' must be > 0", Assert.Throws<FormatException>(() => RunSpec.Resolve(alpha)).Message);
        var one = Assert.Throws<ArgumentException>(() => SpectralTransform.DirectSpec(Tensor.RandomNormal(new Rng(1), [1, 3]), 1f));
        Assert.Contains("at least 2 rows", one.Message);
        var cfg = new EmbedRec.Config.RunConfig().With("model", "mf").With("objective", "directspec+").With("dataset", "synthetic").With("train_batch_size", "1").With("epochs", "1");
        var split = Experiment.LoadSplit(RunSpec.Resolve(cfg).Data, new EmbedRec.Data.Registry.DatasetRegistry(".", []));
        var e = Assert.Throws<ArgumentException>(() => Experiment.Train(cfg, split));
        Assert.Contains("train_batch_size 1 is too small", e.Message);
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("directspec+", "static", "mf")]
    [InlineData("directspec+", "learned", "lightgcn")]
    [InlineData("directau", null, "mf")]
    public void PositiveOnlyTrainingKeepsErankHighAndLearns(string objective, string? gamma, string encoder)
    {
        var cfg = new EmbedRec.Config.RunConfig().With("model", encoder).With("objective", objective).With("init", "xavier").With("dataset", "synthetic")
            .With("epochs", "2").With("optimizer", "sgd").With("learning_rate", "20").With("train_batch_size", "256").With("topk", "10").With("eval_step", "2");
        if (gamma is not null) cfg.Set("objective.gamma_mode", gamma);
        var split = Experiment.LoadSplit(RunSpec.Resolve(cfg).Data, new EmbedRec.Data.Registry.DatasetRegistry(".", []));
        var r = Experiment.Train(cfg, split);
        Assert.True(r.History[^1].Loss < r.History[0].Loss, $"{objective}/{gamma}/{encoder}: loss {r.History[0].Loss} → {r.History[^1].Loss}");
        Assert.True(r.ItemErank > 25, $"{objective}/{gamma}/{encoder}: erank {r.ItemErank}");
    }

    /// <summary>A random interaction log: each user draws <paramref name="perUser"/> items uniformly.</summary>
    private static InteractionLog RandomLog(int users, int perUser, int items, ulong seed)
    {
        var log = new LogBuilder();
        var rng = new Rng(seed);
        for (int u = 0; u < users; u++) for (int k = 0; k < perUser; k++) log.Add("u" + u, "i" + rng.NextInt(items));
        return log.Build();
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++) Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-6f, $"{what} {k}: {expected[k]} vs {actual[k]}");
    }

    [Fact]
    public void LightGcnBatchRowsEqualTheGatheredFullPropagation()
    {
        var train = RandomLog(30, 4, 25, 3);
        int[] users = [0, 5, 5, 29], items = [3, 0, 17, 3];
        var upstreamU = Tensor.RandomNormal(new Rng(8), [4, 16]);
        var upstreamI = Tensor.RandomNormal(new Rng(9), [4, 16]);
        float[] Run(bool rows, out float[] values)
        {
            var m = new LightGcn(train, new LightGcnOptions { EmbeddingSize = 16 }, new Rng(5));
            Tensor ru, ri;
            if (rows) (ru, ri) = m.EncodeRows(users, items);
            else { var (u, i) = m.Encode(); (ru, ri) = (Ops.Gather(u, users), Ops.Gather(i, items)); }
            values = [.. ru.ToArray(), .. ri.ToArray()];
            Ops.Add(Ops.Sum(Ops.Mul(ru, upstreamU)), Ops.Sum(Ops.Mul(ri, upstreamI))).Backward();
            return m.Embedding0.Grad!.ToArray();
        }
        var gFull = Run(false, out var vFull);
        var gRows = Run(true, out var vRows);
        AssertClose(vFull, vRows, "value");
        AssertClose(gFull, gRows, "gradient");
        Assert.Contains(gRows, g => g != 0f);
    }

    [Fact]
    public void LightGcnBprScoresFromBatchRowsEqualTheFullPath()
    {
        var train = RandomLog(40, 5, 30, 4);
        var sets = train.ToUserItems();
        var batch = new TripletBatcher(train, new UniformNegativeSampler(sets, train.ItemCount), 32, 2).Epoch(new Rng(6)).First();
        (float[] Pos, float[] Neg, float[] Grad) Run(bool allItems)
        {
            var m = new LightGcn(train, new LightGcnOptions { EmbeddingSize = 8 }, new Rng(5));
            var s = m.Forward(batch, allItems);
            var (pos, neg) = (s.Positive.ToArray(), s.Negative.ToArray());
            Ops.Sub(Ops.Sum(Ops.Mul(s.Positive, s.Positive)), Ops.Sum(s.Negative)).Backward();
            return (pos, neg, m.Embedding0.Grad!.ToArray());
        }
        var full = Run(true);
        var rows = Run(false);
        AssertClose(full.Pos, rows.Pos, "positive");
        AssertClose(full.Neg, rows.Neg, "negative");
        AssertClose(full.Grad, rows.Grad, "gradient");
    }

    [Fact]
    public void ALastBatchOfOnePairIsSkippedNotACrash()
    {
        // DirectAU walks the interactions: with batch size n − 1 the epoch ends in a batch of one pair, on which its
        // uniformity is undefined; it is drawn (the random stream is unchanged) and skipped. A small log keeps n small.
        var split = new EmbedRec.Data.Splits.LeaveOneOutSplit().Split(RandomLog(30, 6, 40, 5));
        var cfg = new EmbedRec.Config.RunConfig().With("model", "mf").With("objective", "directau").With("dataset", "synthetic").With("epochs", "1")
            .With("topk", "10").With("train_batch_size", (split.Train.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var built = Experiment.Build(RunSpec.Resolve(cfg), split);
        Assert.Equal(1, built.Plan!.Objective.StepsPerEpoch);
        var r = new Trainer(RunSpec.Resolve(cfg).Trainer).Fit(built.Model, split, built.Plan);
        Assert.True(double.IsFinite(r.History[0].Loss));
    }

    [Fact]
    public void DirectSpecSamplesUsersAndDirectAuInteractionsByDefault()
    {
        foreach (var (objective, users) in new[] { ("directspec", true), ("directspec+", true), ("directau", false) })
        {
            var cfg = new EmbedRec.Config.RunConfig().With("model", "mf").With("objective", objective).With("dataset", "synthetic");
            var spec = RunSpec.Resolve(cfg);
            var built = Experiment.Build(spec, Experiment.LoadSplit(spec.Data, new EmbedRec.Data.Registry.DatasetRegistry(".", [])));
            Assert.Equal(users ? SamplingKind.Users : SamplingKind.Interactions, ((EmbedRec.Objectives.TripletObjective)built.Plan!.Objective).Sampling);
        }
    }

    [Fact]
    public void UniformUserBatchesDrawUsersUniformly()
    {
        var log = new LogBuilder();
        for (int i = 0; i < 50; i++) log.Add("heavy", "i" + i);
        log.Add("light", "i0");
        var sets = log.Build().ToUserItems();
        var batcher = new UniformUserBatcher(sets, new UniformNegativeSampler(sets, 60), 100);
        int heavy = 0, total = 0;
        foreach (var b in batcher.Epoch(new Rng(1))) { heavy += b.Users.Take(b.Count).Count(u => u == 0); total += b.Count; }
        Assert.InRange(heavy / (double)total, 0.35, 0.65);
    }
}
