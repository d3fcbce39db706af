using EmbedRec.Config;
using EmbedRec.Data.Registry;
using EmbedRec.Models;
using EmbedRec.Training;
using Xunit;

namespace EmbedRec.Tests.Training;

/// <summary>Every config shipped in <c>configs/</c> parses, validates and builds its model.</summary>
public sealed class ShippedConfigsTests
{
    /// <summary>The repository's root (the folder above the tests holding configs/ and src/).</summary>
    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "configs")) && Directory.Exists(Path.Combine(dir.FullName, "src"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No repository root above {AppContext.BaseDirectory}.");
    }

    private static string ConfigDir() => Path.Combine(RepoRoot(), "configs");

    [Fact]
    public void TheKeyTableInTrainingMdIsTheGeneratedOne()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "training.md")).Replace("\r\n", "\n");
        int begin = doc.IndexOf("<!-- keys:begin", StringComparison.Ordinal);
        begin = doc.IndexOf("-->", begin, StringComparison.Ordinal) + 3;
        int end = doc.IndexOf("<!-- keys:end -->", StringComparison.Ordinal);
        Assert.True(begin > 3 && end > begin, "docs/training.md lacks the keys:begin/keys:end markers.");
        // Regenerate with: embedrec config keys --markdown
        Assert.Equal(ConfigKeys.Markdown(Registry.Default).Trim(), doc[begin..end].Trim());
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
            // Spectral initializers would cache what they compute on the synthetic data in the user's cache folder.
            if (spec.Init?.Registration.Binder.Keys.Any(k => k.Name == "cache") == true) cfg.Set("init.cache", "false");
            // A BPR-pretrained input names a finished MF-BPR run: train one on the same synthetic split for it.
            using var prior = new TempDir();
            if (spec.Init?.Registration.Name == "bpr")
            {
                var mf = new RunConfig().With("model", "mf").With("dataset", "synthetic").With("split", "loo").With("epochs", "1").With("topk", "10")
                    .With("model.embedding_size", cfg.Get("model.dim") ?? cfg.Get("model.embedding_size") ?? "64");
                Experiment.Train(mf, Experiment.LoadSplit(RunSpec.Resolve(mf).Data, new DatasetRegistry(".", [])), new RunDirectory(Path.Combine(prior.Path, "mf")));
                cfg.Set("init.path", Path.Combine(prior.Path, "mf"));
            }
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
