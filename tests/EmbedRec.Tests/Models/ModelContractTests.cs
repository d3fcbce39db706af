using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Splits;
using EmbedRec.Evaluation;
using EmbedRec.Models;
using EmbedRec.Training;
using Xunit;

namespace EmbedRec.Tests.Models;

/// <summary>The contract every model honours, on the built-in synthetic data.</summary>
public sealed class ModelContractTests : IDisposable
{
    private static readonly Lazy<DataSplit> Split = new(() =>
        new LeaveOneOutSplit().Split(SyntheticData.Generate(new SyntheticOptions { Users = 600, Items = 300, Clusters = 8, MeanLength = 20 })));

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Names => new(ModelFactory.Names);

    private static RunConfig Config(string model, int epochs = 20)
    {
        var c = new RunConfig();
        c.Set("model", model);
        c.Set("dataset", "synthetic");
        c.Set("epochs", epochs.ToString());
        c.Set("learning_rate", "0.005");
        c.Set("train_batch_size", "512");
        c.Set("topk", "10");
        c.Set("metrics", "ndcg,hit");
        c.Set("eval_step", "5");
        c.Set("k", "30");
        if (model == "mf") c.Set("init_std", "0.1");
        if (model == "neumf") c.Set("learning_rate", "0.002");
        if (model.StartsWith("direct", StringComparison.Ordinal))
        {
            // The authors' setting: plain SGD with a large rate on normalized rows.
            c.Set("optimizer", "sgd");
            c.Set("learning_rate", "20");
            c.Set("train_batch_size", "256");
        }
        return c;
    }

    private static TrainingResult Train(IRecommender m, RunConfig c) => new Trainer(c.TrainerOptions()).Fit(m, Split.Value);

    [Theory]
    [MemberData(nameof(Names))]
    public void ScoresHaveTheRightShapeAndSurviveSaveLoad(string name)
    {
        var split = Split.Value;
        var c = Config(name, epochs: 2);
        var model = ModelFactory.Create(c, split);
        Train(model, c);
        int[] users = [0, 5, 17];
        var a = new float[users.Length * split.ItemCount];
        model.Score(users, a);
        Assert.All(a, v => Assert.True(float.IsFinite(v)));
        Assert.Throws<ArgumentException>(() => model.Score(users, new float[5]));
        var path = Path.Combine(_dir.Path, name + ".safetensors");
        model.Save(path);
        var other = ModelFactory.Create(Config(name, epochs: 2).With("seed", "99"), split);
        other.Load(path);
        if (other is ITrainable t) t.PrepareForScoring();
        var b = new float[a.Length];
        other.Score(users, b);
        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData("mf")]
    [InlineData("lightgcn")]
    [InlineData("neumf")]
    [InlineData("directspec+")]
    public void TrainingLowersTheLoss(string name)
    {
        var c = Config(name, epochs: 6);
        var r = Train(ModelFactory.Create(c, Split.Value), c);
        Assert.True(r.History[^1].Loss < 0.9 * r.History[0].Loss, $"loss {r.History[0].Loss} → {r.History[^1].Loss}");
    }

    [Fact]
    public void EveryModelBeatsPopularity()
    {
        var pop = Train(ModelFactory.Create(Config("pop"), Split.Value), Config("pop")).Test["ndcg@10"];
        // The DirectSpec family is positive-only and tuned per dataset; DirectSpecTests checks that it learns.
        foreach (var name in ModelFactory.Names.Where(n => n != "pop" && !n.StartsWith("direct", StringComparison.Ordinal)))
        {
            var c = Config(name, epochs: name == "neumf" ? 30 : 25);
            var r = Train(ModelFactory.Create(c, Split.Value), c);
            Assert.True(r.Test["ndcg@10"] > pop, $"{name}: NDCG@10 {r.Test["ndcg@10"]:0.0000} vs popularity {pop:0.0000}");
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
        ease.Score([0], s); // user a has x and y: score of z = B_xz + B_yz = 0.5; of x = B_yx = 0.25
        Assert.Equal(0.25f, s[0], 4);
        Assert.Equal(0.25f, s[1], 4);
        Assert.Equal(0.5f, s[2], 4);
    }
}
