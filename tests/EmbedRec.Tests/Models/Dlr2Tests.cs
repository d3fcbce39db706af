using EmbedRec.Data;
using EmbedRec.Data.Sampling;
using EmbedRec.Data.Splits;
using EmbedRec.Evaluation;
using EmbedRec.Models;
using EmbedRec.Objectives;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Optim;
using EmbedRec.Training;
using Xunit;

namespace EmbedRec.Tests.Models;

/// <summary>DLR2 (SPEC §2): the network's shapes and gradients, the windows, the dual loss and scoring from the visible history.</summary>
public sealed class Dlr2Tests
{
    private static readonly Dlr2Options Tiny = new() { Dim = 4, Window = 2, Channels = 2, HeadLayers = [3] };

    /// <summary>Four users over six items, in chronological order: u0 a b c d e, u1 b c a f, u2 f e, u3 c.</summary>
    private static DataSplit HandSplit()
    {
        var b = new LogBuilder();
        long t = 0;
        foreach (var (u, items) in new[] { ("u0", "abcde"), ("u1", "bcaf"), ("u2", "fe"), ("u3", "c") })
            foreach (char i in items) b.Add(u, i.ToString(), timestamp: t++);
        var log = b.Build();
        return new DataSplit(log, log, log, new SplitReport("hand", log.UserCount, 0, "kept", 0));
    }

    private static int Item(DataSplit split, char item) => split.Train.Items.Dense(item.ToString());

    private static (Dlr2 Model, Dlr2Objective Objective, DataSplit Split) Build(Dlr2Options options, int batch = 16, ulong seed = 5)
    {
        var split = HandSplit();
        var rng = new Rng(seed);
        var model = new Dlr2(split.UserCount, split.ItemCount, options, rng);
        var objective = new Dlr2Objective(new Dlr2ObjectiveOptions(), model, new ObjectiveContext(split, split.Train.ToUserItems(), batch, rng));
        return (model, objective, split);
    }

    [Theory]
    [InlineData(Dlr2Variant.ResNet)]
    [InlineData(Dlr2Variant.OnlyConv)]
    [InlineData(Dlr2Variant.NoConv)]
    public void OutputsHaveTheirShapes(Dlr2Variant variant)
    {
        var model = new Dlr2(3, 7, Tiny with { Variant = variant }, new Rng(1));
        var s = model.Features([0, 2, 1], [0, 1, 6, -1, -1, -1]);
        Assert.Equal([3, 4], s.Shape.ToArray());
        Assert.Equal([3], model.Critic(s, model.ItemEmbeddings([0, 3, 6])).Shape.ToArray());
        var g = model.Actor(s);
        Assert.Equal([3, 4], g.Shape.ToArray());
        Assert.All(g.ToArray(), v => Assert.InRange(v, -1f, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Features([0], [7, 0]));
        Assert.Throws<ArgumentException>(() => model.Features([0], [1]));
    }

    [Fact]
    public void TheDefaultNetworkHasTheCodesGeometry()
    {
        var model = new Dlr2(2, 3, new Dlr2Options(), new Rng(1));
        var shapes = model.Network.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Shape.ToArray());
        Assert.Equal([3 + 1, 64], shapes["item.weight"]);
        Assert.Equal([64, 1, 1, 1], shapes["feature.conv1.weight"]);
        Assert.Equal([64, 64, 3, 3], shapes["feature.layer1.conv2.weight"]);
        Assert.Equal([128, 64, 3, 3], shapes["feature.layer2.conv1.weight"]);
        Assert.Equal([128, 64, 1, 1], shapes["feature.layer2.downsample_conv.weight"]);
        Assert.Equal([128], shapes["feature.layer2.downsample_bn.running_var"]);
        Assert.Equal([64, 128 * 3 * 32], shapes["feature.fc.weight"]); // the code's 128·(l − 2)·d/2 for l = 5
        Assert.Equal([256, 128], shapes["critic.fc1.weight"]);
        Assert.Equal([1, 128], shapes["critic.fc4.weight"]);
        Assert.Equal([64, 128], shapes["actor.fc4.weight"]);
        Assert.DoesNotContain(shapes.Keys, k => k.Contains("bias", StringComparison.Ordinal) && k.Contains("conv", StringComparison.Ordinal));
        Assert.Equal(new float[64], model.Network.StateDict().First(kv => kv.Key == "item.weight").Value.Span[..64].ToArray()); // padding row
    }

    [Fact]
    public void WindowsAreTheTrainingSequencesSlidingStatesWithUnseenNegatives()
    {
        var split = HandSplit();
        var seen = split.Train.ToUserItems();
        var batcher = new WindowBatcher(UserSequences.From(split.Train), new UniformNegativeSampler(seen, split.ItemCount), batchSize: 2, window: 2);
        // u0 (5 items) gives 3 windows, u1 (4) gives 2, u2 (2 = l) and u3 none.
        Assert.Equal(5, batcher.WindowCount);
        Assert.Equal(3, batcher.BatchesPerEpoch);
        string Name(int i) => split.Train.Items[i];
        var expected = new[] { "u0:ab>c", "u0:bc>d", "u0:cd>e", "u1:bc>a", "u1:ca>f" };
        for (int epoch = 0; epoch < 20; epoch++)
        {
            var got = new List<string>();
            foreach (var b in batcher.Epoch(new Rng((ulong)epoch)))
                for (int k = 0; k < b.Count; k++)
                {
                    int u = b.Users[k];
                    got.Add($"{split.Train.Users[u]}:{Name(b.State[2 * k])}{Name(b.State[2 * k + 1])}>{Name(b.Positive[k])}");
                    Assert.False(seen.Contains(u, b.Negative[k]), $"negative {Name(b.Negative[k])} was seen by user {u}");
                    Assert.InRange(b.Negative[k], 0, split.ItemCount - 1);
                }
            Assert.Equal(expected, got.Order());
        }
        // u1 never saw d or e: both are drawn as its negatives.
        var negatives = new HashSet<int>();
        for (int epoch = 0; epoch < 50; epoch++)
            foreach (var b in batcher.Epoch(new Rng(100 + (ulong)epoch)))
                for (int k = 0; k < b.Count; k++) if (b.Users[k] == 1) negatives.Add(b.Negative[k]);
        Assert.Equal(new[] { Item(split, 'd'), Item(split, 'e') }.Order(), negatives.Order());
    }

    [Fact]
    public void ASmallerMinStatePadsShortStatesSoShortHistoriesTrainToo()
    {
        var split = HandSplit();
        var seen = split.Train.ToUserItems();
        var batcher = new WindowBatcher(UserSequences.From(split.Train), new UniformNegativeSampler(seen, split.ItemCount), batchSize: 3, window: 2, minState: 1);
        // Every item after a user's first is a target: u0 (5 items) 4 windows, u1 (4) 3, u2 (2) 1, u3 (1) none; '_' pads.
        Assert.Equal(8, batcher.WindowCount);
        Assert.Equal(1, batcher.MinState);
        string Name(int i) => i < 0 ? "_" : split.Train.Items[i];
        var expected = new[] { "u0:_a>b", "u0:ab>c", "u0:bc>d", "u0:cd>e", "u1:_b>c", "u1:bc>a", "u1:ca>f", "u2:_f>e" };
        var got = new List<string>();
        foreach (var b in batcher.Epoch(new Rng(3)))
            for (int k = 0; k < b.Count; k++)
                got.Add($"{split.Train.Users[b.Users[k]]}:{Name(b.State[2 * k])}{Name(b.State[2 * k + 1])}>{Name(b.Positive[k])}");
        Assert.Equal(expected, got.Order());

        // min_state = window is the authors' windows, batch for batch the same as leaving it unset.
        var sampler = new UniformNegativeSampler(seen, split.ItemCount);
        var unset = new WindowBatcher(UserSequences.From(split.Train), sampler, 2, 2);
        var explicitly = new WindowBatcher(UserSequences.From(split.Train), sampler, 2, 2, minState: 2);
        static List<string> Batches(WindowBatcher w) => w.Epoch(new Rng(9)).Select(b =>
            $"{string.Join(",", b.State.Take(2 * b.Count))}>{string.Join(",", b.Positive.Take(b.Count))}/{string.Join(",", b.Negative.Take(b.Count))}").ToList();
        Assert.Equal(Batches(unset), Batches(explicitly));

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new WindowBatcher(UserSequences.From(split.Train), sampler, 2, 2, minState: 3));
        Assert.Contains("between 1 and window = 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheObjectivesMinStateIsCheckedAgainstTheWindowAndFindsWindowsTheDefaultDoesNot()
    {
        var split = HandSplit();
        var rng = new Rng(1);
        // Window 5: no hand user has more than 5 items, so the authors' windows are none; min_state 1 gives 8.
        var model = new Dlr2(split.UserCount, split.ItemCount, Tiny with { Window = 5 }, rng);
        var context = new ObjectiveContext(split, split.Train.ToUserItems(), 4, rng);
        var none = Assert.Throws<ArgumentException>(() => new Dlr2Objective(new Dlr2ObjectiveOptions(), model, context));
        Assert.Contains("no user has more than 5 training items", none.Message, StringComparison.Ordinal);
        var padded = new Dlr2Objective(new Dlr2ObjectiveOptions { MinState = 1 }, model, context);
        Assert.Equal(8, padded.WindowCount);
        Assert.Equal(2, padded.StepsPerEpoch);
        foreach (var loss in padded.Epoch(new Rng(2))) Assert.True(float.IsFinite(loss.ToArray()[0]));
        var tooLarge = Assert.Throws<ArgumentException>(() => new Dlr2Objective(new Dlr2ObjectiveOptions { MinState = 6 }, model, context));
        Assert.Contains("objective.min_state = 6 is larger than model.window = 5", tooLarge.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.5f, 0.5f)]
    [InlineData(0f, 0f)]
    [InlineData(2f, 0.1f)]
    public void TheLossIsTheSumOfTheTwoHingeLosses(float marginS, float marginG)
    {
        var (model, _, split) = Build(Tiny);
        var objective = new Dlr2Objective(new Dlr2ObjectiveOptions { MarginS = marginS, MarginG = marginG }, model,
            new ObjectiveContext(split, split.Train.ToUserItems(), 16, new Rng(9)));
        var batch = new WindowBatcher(UserSequences.From(split.Train), new UniformNegativeSampler(split.Train.ToUserItems(), split.ItemCount), 16, 2)
            .Epoch(new Rng(3)).First();
        int b = batch.Count, d = model.Dim;
        var (critic, actor) = objective.Losses(batch);
        var total = objective.Loss(batch).ToArray()[0];
        // The parts the losses combine, from the model's own methods (train mode: the same batch statistics).
        using var _ = GradMode.NoGrad();
        var s = model.Features(batch.Users[..b], batch.State[..(2 * b)]);
        var ePos = model.ItemEmbeddings(batch.Positive[..b]);
        var eNeg = model.ItemEmbeddings(batch.Negative[..b]);
        var sPos = model.Critic(s, ePos).ToArray();
        var sNeg = model.Critic(s, eNeg).ToArray();
        var g = model.Actor(s).ToArray();
        var (p, n) = (ePos.ToArray(), eNeg.ToArray());
        double ls = 0, lg = 0;
        for (int k = 0; k < b; k++)
        {
            double lift = Math.Max(marginS - sNeg[k], 0);
            ls += sPos[k] * (double)sPos[k] + lift * lift;
            double dp = 0, dn = 0;
            for (int j = 0; j < d; j++)
            {
                dp += Math.Pow(g[k * d + j] - p[k * d + j], 2);
                dn += Math.Pow(g[k * d + j] - n[k * d + j], 2);
            }
            lg += Math.Max(dp / d - dn / d + marginG, 0);
        }
        Assert.Equal(ls / b, critic.ToArray()[0], 5);
        Assert.Equal(lg / b, actor.ToArray()[0], 5);
        Assert.Equal(ls / b + lg / b, total, 5);
    }

    [Fact]
    public void TheLossOfATinyCaseMatchesAHandComputation()
    {
        // Weights set by hand so that S(s, e) = max(e₀, 0) − 0.3 and G(s) = (0.5, 0, 0, 0) whatever the state, and item i has
        // the embedding (0.25·i, 1 − 0.1·i, 0.2, −0.5·(i mod 2)); the margins are the code's 0.5.
        var (model, objective, split) = Build(Tiny);
        var p = model.Network.NamedParameters().ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (name, t) in p) if (name.StartsWith("critic.", StringComparison.Ordinal) || name.StartsWith("actor.", StringComparison.Ordinal)) t.Span.Clear();
        p["critic.fc1.weight"].Span[model.Dim] = 1f; // hidden unit 0 reads e₀ (the item half of [s; e])
        p["critic.fc2.weight"].Span[0] = 1f;
        p["critic.fc2.bias"].Span[0] = -0.3f;
        p["actor.fc2.bias"].Span[0] = MathF.Atanh(0.5f);
        static float[] E(int i) => [0.25f * i, 1f - 0.1f * i, 0.2f, -0.5f * (i % 2)];
        for (int i = 0; i < split.ItemCount; i++) E(i).CopyTo(p["item.weight"].Span.Slice((i + 1) * 4, 4));
        var batch = new WindowBatcher(UserSequences.From(split.Train), new UniformNegativeSampler(split.Train.ToUserItems(), split.ItemCount), 16, 2)
            .Epoch(new Rng(3)).First();
        int b = batch.Count;
        double ls = 0, lg = 0;
        float[] g = [0.5f, 0, 0, 0];
        for (int k = 0; k < b; k++)
        {
            var (pos, neg) = (E(batch.Positive[k]), E(batch.Negative[k]));
            double sPos = Math.Max(pos[0], 0) - 0.3, sNeg = Math.Max(neg[0], 0) - 0.3;
            ls += sPos * sPos + Math.Pow(Math.Max(0.5 - sNeg, 0), 2);
            double dp = Enumerable.Range(0, 4).Average(j => Math.Pow(g[j] - pos[j], 2));
            double dn = Enumerable.Range(0, 4).Average(j => Math.Pow(g[j] - neg[j], 2));
            lg += Math.Max(dp - dn + 0.5, 0);
        }
        Assert.Equal(5, b);
        var (critic, actor) = objective.Losses(batch);
        Assert.Equal(ls / b, critic.ToArray()[0], 5);
        Assert.Equal(lg / b, actor.ToArray()[0], 5);
        Assert.Equal((ls + lg) / b, objective.Loss(batch).ToArray()[0], 5);
    }

    [Theory]
    [InlineData(Dlr2Variant.ResNet)]
    [InlineData(Dlr2Variant.OnlyConv)]
    [InlineData(Dlr2Variant.NoConv)]
    public void GradientsOfTheWholeLossMatchFiniteDifferences(Dlr2Variant variant)
    {
        var (model, objective, split) = Build(Tiny with { Variant = variant, InitStd = 0.5f });
        var batch = new WindowBatcher(UserSequences.From(split.Train), new UniformNegativeSampler(split.Train.ToUserItems(), split.ItemCount), 16, 2)
            .Epoch(new Rng(3)).First();
        var parameters = model.Network.NamedParameters().ToList();
        foreach (var (_, p) in parameters) p.ZeroGrad();
        objective.Loss(batch).Backward();
        double Eval()
        {
            using var _ = GradMode.NoGrad();
            return objective.Loss(batch).ToArray()[0];
        }
        // Central differences in float32 at h = 1e-3 over up to 48 elements of every tensor. A ReLU or hinge that switches
        // within ±h makes the one-sided slopes disagree: such elements are counted as kinks, not compared, and must be rare.
        const float h = 1e-3f;
        double f0 = Eval();
        int compared = 0, kinks = 0;
        foreach (var (name, p) in parameters)
        {
            var analytic = p.Grad?.ToArray() ?? new float[p.Size];
            var data = p.Span;
            int step = Math.Max(1, data.Length / 48);
            for (int i = 0; i < data.Length; i += step)
            {
                float orig = data[i];
                data[i] = orig + h; double fp = Eval();
                data[i] = orig - h; double fm = Eval();
                data[i] = orig;
                double numeric = (fp - fm) / (2 * h), right = (fp - f0) / h, left = (f0 - fm) / h;
                if (Math.Abs(right - left) > 2e-3 + 0.05 * Math.Abs(numeric)) { kinks++; continue; }
                Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-3 + 2e-2 * Math.Abs(numeric), $"{name}[{i}]: analytic {analytic[i]:G6}, numeric {numeric:G6}");
                compared++;
            }
        }
        Assert.True(compared > 300 && kinks <= compared / 50, $"{compared} elements compared, {kinks} at kinks");
        Assert.Equal(new float[model.Dim], model.Network.NamedParameters().First(kv => kv.Key == "item.weight").Value.Grad!.Span[..model.Dim].ToArray());
    }

    [Fact]
    public void ScoringFromTheHistoryIsMinusTheTrainingPathCriticInEvalMode()
    {
        var (model, objective, split) = Build(Tiny with { InitStd = 0.5f });
        // A few training steps so the shortcut's BatchNorm has running statistics of its own.
        var adam = new Adam(model.Network.NamedParameters(), new AdamOptions { LearningRate = 0.01f });
        foreach (var loss in objective.Epoch(new Rng(1)).Concat(objective.Epoch(new Rng(2))))
        {
            adam.ZeroGrad();
            loss.Backward();
            adam.Step();
        }
        model.Network.Eval();
        var context = ScoringContext.ForValidation(split);
        int[] users = [0, 1, 2, 3];
        int nI = split.ItemCount, l = model.Window;
        var scores = new float[users.Length * nI];
        model.Score(users, context, scores);
        // The states: u0 …d e, u1 …a f, u2 f e, u3 pads c.
        int[] states = [Item(split, 'd'), Item(split, 'e'), Item(split, 'a'), Item(split, 'f'), Item(split, 'f'), Item(split, 'e'), -1, Item(split, 'c')];
        var all = Enumerable.Range(0, nI).ToArray();
        using (GradMode.NoGrad())
            for (int k = 0; k < users.Length; k++)
            {
                var s = model.Features([users[k]], states[(k * l)..((k + 1) * l)]);
                var rep = Ops.Concat(Enumerable.Repeat(s, nI).ToArray(), 0);
                var critic = model.Critic(rep, model.ItemEmbeddings(all)).ToArray();
                for (int i = 0; i < nI; i++) Assert.Equal(-critic[i], scores[k * nI + i], 4);
            }
        // In train mode the shortcut normalizes with the batch's statistics: another number, so scoring did use the running ones.
        var running = model.Network.StateDict().First(kv => kv.Key == "feature.layer2.downsample_bn.running_mean").Value;
        Assert.Contains(running.ToArray(), v => v != 0f);
        model.Network.Train();
        var trainMode = new float[scores.Length];
        model.Score(users, context, trainMode);
        Assert.NotEqual(scores, trainMode);
    }

    [Fact]
    public void TheBestEpochsSnapshotKeepsTheBatchNormStatistics()
    {
        // The trainer restores the best epoch's snapshot when a later epoch was worse: the shortcut's running statistics must
        // come back with the weights, or the restored model scores with the last epoch's normalization.
        var (model, objective, _) = Build(Tiny with { InitStd = 0.5f });
        var state = new TrainableState(model, objective);
        var before = state.State.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        var snapshot = state.Snapshot();
        var adam = new Adam(state.Trainable, new AdamOptions { LearningRate = 0.01f });
        foreach (var loss in objective.Epoch(new Rng(1)))
        {
            adam.ZeroGrad();
            loss.Backward();
            adam.Step();
        }
        const string mean = "feature.layer2.downsample_bn.running_mean";
        Assert.NotEqual(before[mean], state.State.First(kv => kv.Key == mean).Value.ToArray());
        state.Restore(snapshot);
        foreach (var (name, t) in state.State) Assert.Equal(before[name], t.ToArray());
    }

    [Fact]
    public void TrainingLowersTheLossOnSyntheticData()
    {
        var split = new LeaveOneOutSplit().Split(SyntheticData.Generate(new SyntheticOptions { Users = 200, Items = 100, Clusters = 4, MeanLength = 15 }));
        var rng = new Rng(11);
        var model = new Dlr2(split.UserCount, split.ItemCount, new Dlr2Options { Dim = 8, Channels = 4, HeadLayers = [32, 16], InitStd = 0.1f }, rng);
        var objective = new Dlr2Objective(new Dlr2ObjectiveOptions(), model, new ObjectiveContext(split, split.Train.ToUserItems(), 128, rng));
        var adam = new Adam(model.Network.NamedParameters(), new AdamOptions { LearningRate = 0.01f });
        var means = new List<double>();
        for (int epoch = 0; epoch < 5; epoch++)
        {
            double sum = 0;
            foreach (var loss in objective.Epoch(new Rng((ulong)epoch)))
            {
                adam.ZeroGrad();
                sum += loss.ToArray()[0];
                loss.Backward();
                adam.Step();
            }
            means.Add(sum / objective.StepsPerEpoch);
        }
        Assert.True(means[^1] < 0.85 * means[0], $"loss per epoch {string.Join(", ", means.Select(m => m.ToString("0.0000")))}");
    }
}
