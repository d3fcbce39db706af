using System.Text.Json;
using EmbedRec.Config;
using EmbedRec.Data.Registry;
using EmbedRec.Models;
using EmbedRec.Training;
using Xunit;

namespace EmbedRec.Tests.Extensibility;

/// <summary>
/// A model family added from outside the library: its model, objective (with its own batch type), options
/// records, config sections and initializer are registered on a copy of the registry, and it is trained and
/// evaluated through <see cref="Experiment"/> from a YAML string. No library file knows about it.
/// </summary>
public sealed class ToyModelTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Registry Registry() => EmbedRec.Training.Registry.Default.Clone()
        .Add(ToyModel.Registration).Add(ToyObjective.Registration).Add(ToyInitializer.Registration);

    private const string Yaml = """
        model:
          name: toy
          dim: 16
          dropout: 0.3
        objective:
          name: toy_pointwise
          negatives: 2
        init:
          name: toy_constant
          value: 0.02
        dataset: synthetic
        epochs: 6
        train_batch_size: 256
        learning_rate: 0.01
        eval_step: 2
        topk: [10]
        metrics: [ndcg, hit]
        """;

    [Fact]
    public void AToyModelRegisteredInTheTestTrainsAndEvaluatesThroughExperiment()
    {
        var registry = Registry();
        var config = new RunConfig();
        config.LoadYamlText(Yaml, "toy.yaml");
        var spec = RunSpec.Resolve(config, registry);
        Assert.Equal(16, ((ToyOptions)spec.Model.Options).Dim);
        Assert.Equal(2, ((ToyObjectiveOptions)spec.Objective!.Options).Negatives);
        var split = Experiment.LoadSplit(spec.Data, new DatasetRegistry(".", []));

        // The initializer filled the mapped rows and left the padding row (item table row 0) alone.
        var built = Experiment.Build(spec, split);
        var model = (ToyModel)built.Model;
        var items = model.Tables[1];
        Assert.All(items.Weight.Span[..items.Dim].ToArray(), v => Assert.Equal(0f, v));
        Assert.All(model.Tables[0].Weight.ToArray(), v => Assert.Equal(0.02f, v));

        var run = new RunDirectory(Path.Combine(_dir.Path, "toy"));
        var result = Experiment.Train(spec, split, run);
        Assert.True(result.History[^1].Loss < result.History[0].Loss, $"loss {result.History[0].Loss} → {result.History[^1].Loss}");
        Assert.InRange(result.Test["ndcg@10"], 1e-6, 1);
        using var metrics = JsonDocument.Parse(File.ReadAllText(run.Metrics));
        Assert.Equal("toy_constant(0.02)", metrics.RootElement.GetProperty("init").GetString());
        Assert.Equal("toy_pointwise", metrics.RootElement.GetProperty("objective").GetString());

        // Reopened from its directory with the same registry: the same test score, and no initializer runs again.
        var reopened = Experiment.Open(run.Path, new DatasetRegistry(".", []), registry);
        Assert.Equal(result.Test["ndcg@10"], reopened.Evaluate(HeldOut.Test)["ndcg@10"], 12);
        // The config section of the toy model is checked like any other.
        var bad = new RunConfig();
        bad.LoadYamlText(Yaml.Replace("dim: 16", "dimm: 16"), "toy.yaml");
        Assert.Contains("Did you mean 'model.dim'?", Assert.Throws<FormatException>(() => RunSpec.Resolve(bad, registry)).Message);
        Assert.Contains("unknown model 'toy'", Assert.Throws<FormatException>(() => RunSpec.Resolve(config)).Message);
    }

    [Fact]
    public void TheTrainerScoresInEvalModeAndTrainsInTrainMode()
    {
        var registry = Registry();
        var config = new RunConfig();
        config.LoadYamlText(Yaml, "toy.yaml");
        config.Set("epochs", "2");
        var spec = RunSpec.Resolve(config, registry);
        var split = Experiment.LoadSplit(spec.Data, new DatasetRegistry(".", []));
        var built = Experiment.Build(spec, split);
        var model = (ToyModel)built.Model;
        var r = new Trainer(spec.Trainer).Fit(model, split, built.Plan);
        Assert.NotEmpty(model.ModesSeenWhenScoring);
        Assert.All(model.ModesSeenWhenScoring, training => Assert.False(training));
        Assert.True(model.Network.Training); // back in train mode after the last evaluation
        // With dropout off during scoring, evaluating twice gives the same numbers.
        var again = new Trainer(spec.Trainer with { Epochs = 0 }).Fit(model, split, built.Plan);
        Assert.Equal(r.Test["ndcg@10"], again.Test["ndcg@10"], 12);
    }

    [Fact]
    public void ConfigKeysListTheToyModelsSectionsFromItsOptionsRecords()
    {
        var keys = ConfigKeys.List(Registry(), "toy");
        Assert.Contains(keys, k => k.Key == "model.dim" && k.Default == "8" && k.Type == "int");
        Assert.Contains(keys, k => k.Key == "objective.negatives" && k.Scope == "objective toy_pointwise");
        Assert.Contains(keys, k => k.Key == "init.value" && k.Scope == "init toy_constant");
        Assert.DoesNotContain(keys, k => k.Scope == "model mf");
    }
}
