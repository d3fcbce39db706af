using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Splits;
using EmbedRec.Evaluation;
using EmbedRec.Models;
using EmbedRec.Training;
using Xunit;

namespace EmbedRec.Tests.Models;

/// <summary>
/// The contract every registered model honours, on the built-in synthetic data. What a model needs to learn
/// there (a learning rate, an initialization scale) comes from its registration's <see cref="ContractSettings"/>,
/// so a new model is covered by registering it.
/// </summary>
public sealed class ModelContractTests : IDisposable
{
    private static readonly Lazy<DataSplit> Split = new(() =>
        new LeaveOneOutSplit().Split(SyntheticData.Generate(new SyntheticOptions { Users = 600, Items = 300, Clusters = 8, MeanLength = 20 })));

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Names => new(Registry.Default.Models.Select(m => m.Name));

    public static TheoryData<string> Trainable => new(Registry.Default.Models.Where(m => m.DefaultObjective is not null).Select(m => m.Name));

    private static RunConfig Config(string model, int epochs = 20, string seed = "2020")
    {
        var c = new RunConfig().With("model", model).With("dataset", "synthetic").With("epochs", epochs.ToString()).With("learning_rate", "0.005")
            .With("train_batch_size", "512").With("topk", "10").With("metrics", "ndcg,hit").With("eval_step", "5").With("seed", seed);
        foreach (var (k, v) in Registry.Default.Model(model).Contract.Settings) c.Set(k, v, "contract");
        return c;
    }

    private static Experiment.Built Build(RunConfig c) => Experiment.Build(RunSpec.Resolve(c), Split.Value);

    private static TrainingResult Train(RunConfig c) => Experiment.Train(c, Split.Value);

    [Theory]
    [MemberData(nameof(Names))]
    public void ScoresHaveTheRightShapeAndSurviveSaveLoad(string name)
    {
        var split = Split.Value;
        var c = Config(name, epochs: 2);
        var built = Build(c);
        new Trainer(RunSpec.Resolve(c).Trainer).Fit(built.Model, split, built.Plan);
        var model = built.Model;
        int[] users = [0, 5, 17];
        var context = ScoringContext.ForTest(split);
        var a = new float[users.Length * split.ItemCount];
        if (model is ITrainable t0) { t0.Network.Eval(); t0.PrepareForScoring(); }
        model.Score(users, context, a);
        Assert.All(a, v => Assert.True(float.IsFinite(v)));
        Assert.Throws<ArgumentException>(() => model.Score(users, context, new float[5]));
        var path = Path.Combine(_dir.Path, name + ".safetensors");
        model.Save(path);
        var other = Build(Config(name, epochs: 2, seed: "99")).Model;
        other.Load(path);
        if (other is ITrainable t) { t.Network.Eval(); t.PrepareForScoring(); }
        var b = new float[a.Length];
        other.Score(users, context, b);
        Assert.Equal(a, b);
    }

    [Theory]
    [MemberData(nameof(Trainable))]
    public void TrainingLowersTheLoss(string name)
    {
        var r = Train(Config(name, epochs: 6));
        float ratio = Registry.Default.Model(name).Contract.LossRatio;
        Assert.True(r.History[^1].Loss < ratio * r.History[0].Loss, $"loss {r.History[0].Loss} → {r.History[^1].Loss} (must fall below {ratio} of the first epoch's)");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void EveryModelBeatsPopularity()
    {
        var pop = Train(Config("pop")).Test["ndcg@10"];
        foreach (var m in Registry.Default.Models.Where(m => m.Contract.BeatsPopularity))
        {
            var r = Train(Config(m.Name, epochs: m.Contract.Epochs));
            Assert.True(r.Test["ndcg@10"] > pop, $"{m.Name}: NDCG@10 {r.Test["ndcg@10"]:0.0000} vs popularity {pop:0.0000}");
        }
    }

    [Fact]
    public void EaseMatchesTheClosedFormOnATinyExample()
    {
        // 3 users × 3 items, λ = 1: B = I − P/diag(P), P = (XᵀX + I)⁻¹.
        var b = new LogBuilder();
        foreach (var (u, i) in new[] { ("a", "x"), ("a", "y"), ("b", "y"), ("b", "z"), ("c", "x"), ("c", "z") }) b.Add(u, i);
        var log = b.Build();
        var ease = new Ease(log, new EaseOptions { Lambda = 1f });
        ease.Fit();
        // XᵀX + I = [[3,1,1],[1,3,1],[1,1,3]]; its inverse has diagonal 0.4 and off-diagonal −0.1, so B_ij = 0.25.
        var s = new float[3];
        ease.Score([0], ScoringContext.ExcludeOnly(log.ToUserItems()), s); // user a has x and y: score of z = B_xz + B_yz = 0.5; of x = B_yx = 0.25
        Assert.Equal(0.25f, s[0], 4);
        Assert.Equal(0.25f, s[1], 4);
        Assert.Equal(0.5f, s[2], 4);
    }
}
