using System.Text.Json;
using EmbedRec.Data.Registry;
using EmbedRec.Training;

namespace EmbedRec.Benchmarks;

/// <summary>
/// The item-embedding diagnostics (effective rank, smoothness J/‖X‖² over the item co-occurrence graph) of finished run
/// directories, computed from their kept checkpoints; for runs trained before the diagnostics covered their model.
/// Usage: <c>diag RUN_DIR...</c>; one JSON line per run.
/// </summary>
public static class DiagnosticsRunner
{
    public static int Run(string[] runs)
    {
        var data = Environment.GetEnvironmentVariable("EMBEDREC_DATA") ?? Path.GetFullPath(Path.Combine("..", "shared", "data"));
        var registry = new DatasetRegistry(data, KnownDatasets.All);
        foreach (var dir in runs)
        {
            var run = Experiment.Open(dir, registry);
            var erank = EmbeddingDiagnostics.ItemErank(run.Model);
            double? smoothness = run.Model is Models.IFinalEmbeddings e ? EmbeddingDiagnostics.ItemSmoothness(run.Split, e.Embeddings().Items, e.Dim) : null;
            Console.WriteLine(JsonSerializer.Serialize(new { run = dir, item_erank = erank, item_smoothness = smoothness }));
        }
        return 0;
    }
}
