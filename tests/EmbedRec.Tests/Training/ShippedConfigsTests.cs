using EmbedRec.Config;
using EmbedRec.Data.Registry;
using EmbedRec.Models;
using EmbedRec.Training;
using Xunit;

namespace EmbedRec.Tests.Training;

/// <summary>Every config shipped in <c>configs/</c> parses, validates and builds its model.</summary>
public sealed class ShippedConfigsTests
{
    private static string ConfigDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "configs");
            if (Directory.Exists(candidate) && Directory.Exists(Path.Combine(dir.FullName, "src"))) return candidate;
        }
        throw new DirectoryNotFoundException($"No configs/ directory above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void EveryShippedConfigLoadsAndBuildsItsModel()
    {
        var files = Directory.GetFiles(ConfigDir(), "*.yaml");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var cfg = new RunConfig();
            cfg.LoadYaml(file);
            var spec = RunSpec.Resolve(cfg);
            Assert.True(spec.Trainer.Epochs >= 1, file);
            // The model, its objective, initializer and optimizer are built on the built-in data (the real datasets may be absent).
            cfg.Set("dataset", "synthetic");
            cfg.Set("split", "loo");
            cfg.Set("filters", "");
            spec = RunSpec.Resolve(cfg);
            var built = Experiment.Build(spec, Experiment.LoadSplit(spec.Data, new DatasetRegistry(".", [])));
            Assert.False(string.IsNullOrEmpty(built.Model.Name), file);
            // The resolved config.yaml of a run resolves to the same spec.
            var again = new RunConfig();
            again.LoadYamlText(spec.ToYaml(), file);
            Assert.Equal(spec.ToYaml(), RunSpec.Resolve(again).ToYaml());
        }
    }
}
