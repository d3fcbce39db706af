using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Registry;
using EmbedRec.Data.Splits;
using EmbedRec.Initializers;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Serialization;
using EmbedRec.Training;
using Xunit;

namespace EmbedRec.Tests.Training;

/// <summary>The initialization stage, frozen parameters, per-step schedules and SEvo's use of row maps.</summary>
public sealed class InitializerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static RunConfig Mf(int epochs = 2) => new RunConfig().With("model", "mf").With("dataset", "synthetic").With("epochs", epochs.ToString())
        .With("learning_rate", "0.01").With("model.init_std", "0.1").With("topk", "10").With("eval_step", "2");

    private static DataSplit Split(RunConfig c) => Experiment.LoadSplit(RunSpec.Resolve(c).Data, new DatasetRegistry(".", []));

    private static MatrixFactorization Build(RunConfig c) => (MatrixFactorization)Experiment.Build(RunSpec.Resolve(c), Split(c)).Model;

    [Theory]
    [InlineData("leporid", "leporid: user graph", "leporid: item spectrum, cycle")]
    [InlineData("svd", "initializing: svd", "svd, cycle")]
    public void ALongInitializationReportsItsStepsAsTrainingProgress(string init, string first, string solver)
    {
        var lines = new List<string>();
        var c = Mf(1).With("model.embedding_size", "4").With("init", init).With("init.cache", "false");
        Experiment.Train(c, Split(c), progress: new Collector<TrainingEvent>(e => { if (e is PhaseMessage pm) lines.Add(pm.Text); }));
        Assert.Contains(lines, l => l.StartsWith(first, StringComparison.Ordinal));
        // Every restart cycle of the eigensolver is a line with its converged count and largest residual.
        Assert.Contains(lines, l => l.StartsWith(solver, StringComparison.Ordinal) && l.Contains("of 4 converged, largest residual", StringComparison.Ordinal));
        Assert.StartsWith($"initializing: {init}(", lines[0], StringComparison.Ordinal);
    }


    [Fact]
    public void NormalAndXavierFillTheTablesAndAreRecorded()
    {
        var normal = Build(Mf().With("init", "normal").With("init.std", "2"));
        var values = normal.ItemEmbedding.ToArray();
        double sd = Math.Sqrt(values.Select(v => (double)v * v).Average());
        Assert.InRange(sd, 1.9, 2.1);
        var xavier = Build(Mf().With("init", "xavier"));
        int rows = xavier.ItemEmbedding.Dim(0), d = xavier.ItemEmbedding.Dim(1);
        float a = MathF.Sqrt(6f / (rows + d));
        Assert.All(xavier.ItemEmbedding.ToArray(), v => Assert.InRange(v, -a, a));
        Assert.Contains("'init.std' must be ≥ 0", Assert.Throws<FormatException>(() => RunSpec.Resolve(Mf().With("init", "normal").With("init.std", "-1"))).Message);
        Assert.Contains("unknown initializer 'svdd'", Assert.Throws<FormatException>(() => RunSpec.Resolve(Mf().With("init", "svdd"))).Message);
        Assert.Contains("no embeddings to initialize", Assert.Throws<FormatException>(() => RunSpec.Resolve(new RunConfig().With("model", "pop").With("init", "normal"))).Message);
    }

    [Fact]
    public void PretrainedCopiesEmbeddingsByIdFromARunOrAFileAndNamesMismatches()
    {
        var source = Mf();
        var run = new RunDirectory(Path.Combine(_dir.Path, "source"));
        Experiment.Train(source, Split(source), run);
        var trained = EmbeddingFile.Read(Path.Combine(run.Path, EmbeddingFile.FileName));

        // From the run directory: every row equals the source's (same data, same ids).
        var fromRun = Build(Mf().With("init", "pretrained").With("init.path", run.Path).With("seed", "7"));
        Assert.Equal(trained["item"].Rows.ToArray(), fromRun.ItemEmbedding.ToArray());
        Assert.Equal(trained["user"].Rows.ToArray(), fromRun.UserEmbedding.ToArray());

        // A LightGCN joint table takes users and items from the same file, through its row map.
        var lightgcn = (LightGcn)Experiment.Build(RunSpec.Resolve(Mf().With("model", "lightgcn").With("init", "pretrained").With("init.path", run.Path)), Split(source)).Model;
        int nu = lightgcn.UserCount, d = lightgcn.Dim;
        Assert.Equal(trained["item"].Rows.ToArray(), lightgcn.Embedding0.Span[(nu * d)..].ToArray());

        // A file whose ids are in another order is matched by id.
        var items = trained["item"];
        int n = items.Rows.Dim(0);
        var reversed = new float[n * d];
        for (int i = 0; i < n; i++) items.Rows.Span.Slice(i * d, d).CopyTo(reversed.AsSpan((n - 1 - i) * d, d));
        var ids = items.Ids!.Reverse().ToArray();
        var file = Path.Combine(_dir.Path, "reversed.safetensors");
        SafeTensors.Save(file, [new("item", Tensor.FromArray(reversed, n, d)), new("user", trained["user"].Rows)],
            new Dictionary<string, string> { ["item_ids"] = System.Text.Json.JsonSerializer.Serialize(ids), ["user_ids"] = System.Text.Json.JsonSerializer.Serialize(trained["user"].Ids) });
        Assert.Equal(items.Rows.ToArray(), Build(Mf().With("init", "pretrained").With("init.path", file)).ItemEmbedding.ToArray());

        // Missing ids, other sizes and a missing source are errors that say which.
        var fewer = Path.Combine(_dir.Path, "fewer.safetensors");
        SafeTensors.Save(fewer, [new("item", Tensor.FromArray(reversed[..((n - 1) * d)], n - 1, d)), new("user", trained["user"].Rows)],
            new Dictionary<string, string> { ["item_ids"] = System.Text.Json.JsonSerializer.Serialize(ids[..^1]), ["user_ids"] = System.Text.Json.JsonSerializer.Serialize(trained["user"].Ids) });
        Assert.Contains("1 of this run's", Assert.Throws<InvalidDataException>(() => Build(Mf().With("init", "pretrained").With("init.path", fewer))).Message);
        var noIds = Path.Combine(_dir.Path, "noids.safetensors");
        SafeTensors.Save(noIds, [new("item", Tensor.FromArray(reversed[..((n - 1) * d)], n - 1, d)), new("user", trained["user"].Rows)]);
        Assert.Contains("cannot be matched", Assert.Throws<InvalidDataException>(() => Build(Mf().With("init", "pretrained").With("init.path", noIds))).Message);
        Assert.Contains("'user' embeddings have size 64; table 'user.weight' has 8", Assert.Throws<InvalidDataException>(() =>
            Build(Mf().With("model.embedding_size", "8").With("init", "pretrained").With("init.path", run.Path))).Message);
        // NaN values and an id named twice are refused when the file is read.
        var nan = (float[])reversed.Clone();
        nan[3] = float.NaN;
        var nanFile = Path.Combine(_dir.Path, "nan.safetensors");
        SafeTensors.Save(nanFile, [new("item", Tensor.FromArray(nan, n, d)), new("user", trained["user"].Rows)]);
        Assert.Contains("nan.safetensors", Assert.ThrowsAny<Exception>(() => Build(Mf().With("init", "pretrained").With("init.path", nanFile))).Message);
        var twice = (string[])ids.Clone();
        twice[1] = twice[0];
        var dupFile = Path.Combine(_dir.Path, "dup.safetensors");
        SafeTensors.Save(dupFile, [new("item", Tensor.FromArray(reversed, n, d)), new("user", trained["user"].Rows)],
            new Dictionary<string, string> { ["item_ids"] = System.Text.Json.JsonSerializer.Serialize(twice), ["user_ids"] = System.Text.Json.JsonSerializer.Serialize(trained["user"].Ids) });
        Assert.Contains($"names '{twice[0]}' 2 times", Assert.Throws<InvalidDataException>(() => Build(Mf().With("init", "pretrained").With("init.path", dupFile))).Message);
        Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => Build(Mf().With("init", "pretrained").With("init.path", Path.Combine(_dir.Path, "nothing")))).Message);
    }

    [Fact]
    public void FrozenParametersDoNotMoveAndUnknownNamesAreNamed()
    {
        var c = Mf(epochs: 2).With("freeze", "item.weight");
        var spec = RunSpec.Resolve(c);
        var split = Split(c);
        var built = Experiment.Build(spec, split);
        var model = (MatrixFactorization)built.Model;
        var items = model.ItemEmbedding.ToArray();
        var users = model.UserEmbedding.ToArray();
        new Trainer(spec.Trainer).Fit(model, split, built.Plan);
        Assert.Equal(items, model.ItemEmbedding.ToArray());
        Assert.NotEqual(users, model.UserEmbedding.ToArray());
        var bad = RunSpec.Resolve(Mf().With("freeze", "items"));
        var b = Experiment.Build(bad, split);
        Assert.Contains("'items' names no parameter of 'mf'; parameters: user.weight, item.weight",
            Assert.Throws<FormatException>(() => new Trainer(bad.Trainer).Fit(b.Model, split, b.Plan)).Message);
    }

    [Fact]
    public void Dlr2KeepsEmbeddingsComputedFromTheDataFixedAsItsAuthorsDoAndTrainsRandomOnes()
    {
        // SPEC §2: the authors' code freezes LE/Leporid inputs (model.freeze_embeddings: auto).
        static RunConfig Dlr2(string? init, string? freeze = null, string? list = null)
        {
            var c = new RunConfig().With("model", "dlr2").With("dataset", "synthetic").With("epochs", "1").With("model.dim", "4")
                .With("model.window", "2").With("model.channels", "2").With("model.head_layers", "8").With("topk", "10");
            if (init is not null) c = c.With("init", init);
            if (init is "le" or "leporid" or "svd") c = c.With("init.cache", "false");
            if (freeze is not null) c = c.With("model.freeze_embeddings", freeze);
            if (list is not null) c = c.With("freeze", list);
            return c;
        }
        string[] both = ["user.weight", "item.weight"];
        // Every initializer says whether its vectors come from the data; those that do are the ones DLR2 keeps fixed.
        var fromData = Registry.Default.Initializers.Where(i => i.FromData).Select(i => i.Name).Order().ToArray();
        Assert.Equal(["bpr", "le", "leporid", "pretrained", "svd"], fromData);
        foreach (var init in new[] { "le", "leporid", "svd" }) Assert.Equal(both, RunSpec.Resolve(Dlr2(init)).Frozen);
        Assert.Empty(RunSpec.Resolve(Dlr2(null)).Frozen);
        Assert.Empty(RunSpec.Resolve(Dlr2("normal")).Frozen);
        Assert.Empty(RunSpec.Resolve(Dlr2("xavier")).Frozen);
        Assert.Empty(RunSpec.Resolve(Dlr2("leporid", "false")).Frozen);
        Assert.Equal(both, RunSpec.Resolve(Dlr2("normal", "true")).Frozen);
        // The configuration's own names come first, without repeats; 'false' does not remove them.
        Assert.Equal(["critic", "user.weight", "item.weight"], RunSpec.Resolve(Dlr2("le", list: "critic,user.weight")).Frozen);
        Assert.Equal(["item.weight"], RunSpec.Resolve(Dlr2("le", "false", "item.weight")).Frozen);
        Assert.Contains("'model.freeze_embeddings' must be one of auto, true, false, got 'maybe'",
            Assert.Throws<FormatException>(() => RunSpec.Resolve(Dlr2("le", "maybe"))).Message);
        // The resolved configuration keeps 'auto' and the configuration's own list apart, so reused with another
        // initializer or with 'false' it decides again, and resolving it again changes nothing.
        var spec = RunSpec.Resolve(Dlr2("leporid"));
        Assert.Contains("freeze_embeddings: auto", spec.ToYaml());
        Assert.Empty(spec.Trainer.Freeze);
        RunConfig Resolved(params (string Key, string Value)[] sets)
        {
            var c = new RunConfig();
            c.LoadYamlText(spec.ToYaml(), "config.yaml");
            foreach (var (k, v) in sets) c.Set(k, v);
            return c;
        }
        Assert.Equal(spec.ToYaml(), RunSpec.Resolve(Resolved()).ToYaml());
        Assert.Equal(both, RunSpec.Resolve(Resolved()).Frozen);
        Assert.Empty(RunSpec.Resolve(Resolved(("model.freeze_embeddings", "false"))).Frozen);

        // Trained (the run's own path, Experiment.Train): the SVD vectors stay and metrics.json lists them as frozen, the
        // network moves; after a random start the embeddings train and nothing is listed.
        foreach (var (init, fixedTables) in new[] { ("svd", true), ("normal", false) })
        {
            var c = Dlr2(init);
            var s = RunSpec.Resolve(c);
            var split = Split(c);
            var initial = ((Dlr2)Experiment.Build(s, split).Model).Network.NamedParameters().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
            var dir = Path.Combine(_dir.Path, "dlr2-" + init);
            using (var run = RunDirectory.OpenForWriting(dir, ClaimMode.New)) Experiment.Train(c, split, run);
            var trained = SafeTensors.Read(Path.Combine(dir, "checkpoint.safetensors")).Entries.ToDictionary(e => e.Name, e => e.Tensor!.ToArray());
            foreach (var name in both)
                if (fixedTables) Assert.Equal(initial[name], trained[name]);
                else Assert.NotEqual(initial[name], trained[name]);
            Assert.NotEqual(initial["critic.fc1.weight"], trained["critic.fc1.weight"]);
            using var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json")));
            Assert.Equal(fixedTables, metrics.RootElement.TryGetProperty("frozen", out var frozen));
            if (fixedTables) Assert.Equal(both, frozen.EnumerateArray().Select(e => e.GetString()!));
        }
    }

    [Theory]
    [InlineData("sasrec")]
    [InlineData("gru4rec")]
    [InlineData("bert4rec")]
    [InlineData("dlr2")]
    public void ARunFillsTheItemTablesOfSequenceModelsAndDlr2AndLeavesTheirPaddingMaskAndOutputRows(string name)
    {
        // Through the run's initializer stage (Experiment.Build), as a config with `init: leporid` does: item rows get MF's
        // item vectors (DLR2's user rows MF's user vectors), padding and mask rows keep the model's own values, and
        // BERT4Rec's output layer, a table of item rows too, is not an input embedding and is left alone.
        static RunConfig Config(string model, string? init) =>
            (init is null ? new RunConfig() : new RunConfig().With("init", init).With("init.k", "20").With("init.cache", "false"))
            .With("model", model).With("dataset", "synthetic").With(model == "dlr2" ? "model.dim" : "model.embedding_size", "8");
        var data = EmbedRec.Tests.Initializers.InitTestData.Split();
        IEmbeddingTables Build(string model, string? init) => (IEmbeddingTables)Experiment.Build(RunSpec.Resolve(Config(model, init)), data).Model;
        var mf = Build("mf", "leporid");
        var own = Build(name, null);
        var filled = Build(name, "leporid");
        Assert.Equal(own.Tables.Count, filled.Tables.Count);
        int itemTables = 0;
        for (int t = 0; t < filled.Tables.Count; t++)
        {
            var (a, b) = (own.Tables[t], filled.Tables[t]);
            var w0 = a.Weight.ToArray();
            var w1 = b.Weight.ToArray();
            int d = b.Dim;
            if (b.OutputLayer)
            {
                Assert.Equal(w0, w1);
                continue;
            }
            var rows = new HashSet<int>();
            if (b.ItemRows > 0)
            {
                itemTables++;
                Assert.Equal(data.ItemCount, b.ItemRows);
                Assert.Equal(mf.Tables[1].Weight.ToArray(), w1.AsSpan(b.FirstItemRow * d, b.ItemRows * d).ToArray());
                rows.UnionWith(Enumerable.Range(b.FirstItemRow, b.ItemRows));
            }
            if (b.UserRows > 0)
            {
                Assert.Equal(mf.Tables[0].Weight.ToArray(), w1.AsSpan(b.FirstUserRow * d, b.UserRows * d).ToArray());
                rows.UnionWith(Enumerable.Range(b.FirstUserRow, b.UserRows));
            }
            int others = 0;
            for (int r = 0; r < b.Weight.Dim(0); r++)
                if (!rows.Contains(r))
                {
                    others++;
                    Assert.Equal(w0.AsSpan(r * d, d).ToArray(), w1.AsSpan(r * d, d).ToArray());
                }
            if (b.ItemRows > 0) Assert.True(others > 0, $"{name}: item table {t} has no padding or mask row");
        }
        Assert.Equal(1, itemTables);
    }

    [Fact]
    public void SchedulesRunPerEpochOrPerStep()
    {
        var cosine = new EmbedRec.Tensors.Optim.CosineSchedule(100, perStep: true);
        Assert.True(cosine.PerStep);
        Assert.Equal(0.5f, cosine.At(50, 1f), 6);
        var warm = new EmbedRec.Tensors.Optim.WarmupSchedule(10, new EmbedRec.Tensors.Optim.StepSchedule(1, 0.5f), stepsPerEpoch: 5);
        Assert.Equal(0.1f, warm.At(0, 1f), 6);   // (0 + 1)/10 of epoch 0's rate 1
        Assert.Equal(0.5f * 0.5f, warm.At(4, 0.5f), 6); // step 4: epoch 0, half-way through warm-up
        Assert.Equal(0.25f, warm.At(12, 1f), 6);  // step 12: epoch 2 of the step schedule, warm-up done
        // A run with a cosine over steps ends near zero; with warm-up the first epoch's rate is low.
        var c = Mf(epochs: 3).With("lr_schedule", "cosine_steps");
        var r = Experiment.Train(c, Split(c));
        Assert.True(r.History[^1].LearningRate < 0.01f * 0.05f, $"last rate {r.History[^1].LearningRate}");
    }

    [Fact]
    public void SevoPlacesItsGraphOnTheTablesRowMaps()
    {
        // The toy model's item table has a padding row 0: the graph is shifted by one row and row 0 is isolated.
        var config = new RunConfig().With("model", "toy").With("dataset", "synthetic").With("optimizer", "adamw").With("optimizer.sevo.graph", "ii");
        var registry = Registry.Default.Clone().Add(Extensibility.ToyModel.Registration).Add(Extensibility.ToyObjective.Registration);
        var spec = RunSpec.Resolve(config, registry);
        var split = Split(config.Clone().With("model", "mf").With("optimizer.sevo.graph", "none"));
        var model = Experiment.Build(spec, split).Model;
        var group = Assert.Single(SevoSetup.Groups(spec.Sevo, model, split));
        var plain = SevoSetup.ItemGraph(spec.Sevo, split);
        Assert.Equal(split.ItemCount + 1, group.Graph.RowCount);
        Assert.Equal(0, group.Graph.RowPtr[1]); // row 0 (padding) has no neighbours
        for (int i = 0; i < plain.RowCount; i++)
        {
            Assert.Equal(plain.RowPtr[i + 1] - plain.RowPtr[i], group.Graph.RowPtr[i + 2] - group.Graph.RowPtr[i + 1]);
            for (int p = plain.RowPtr[i], q = group.Graph.RowPtr[i + 1]; p < plain.RowPtr[i + 1]; p++, q++)
            {
                Assert.Equal(plain.ColIdx[p] + 1, group.Graph.ColIdx[q]);
                Assert.Equal(plain.Values[p], group.Graph.Values[q]);
            }
        }
    }
}
