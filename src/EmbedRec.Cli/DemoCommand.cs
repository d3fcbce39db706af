using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Training;

namespace EmbedRec.Cli;

/// <summary><c>embedrec demo</c>: the whole job on built-in synthetic data, five models compared.</summary>
internal static class DemoCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Per-model settings of the demo (kept small so it finishes in well under two minutes on 2 cores).</summary>
    internal static readonly (string Model, string[] Settings)[] Models =
    [
        ("pop", []),
        ("itemknn", ["model.k=50"]),
        ("ease", ["model.reg_weight=200"]),
        ("mf", ["epochs=60", "learning_rate=0.005", "model.init_std=0.1", "train_batch_size=1024", "stopping_step=5", "eval_step=2"]),
        ("lightgcn", ["epochs=40", "learning_rate=0.005", "train_batch_size=1024", "stopping_step=5", "eval_step=2"]),
    ];

    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for the five run directories.", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var cmd = new Command("demo", "Train popularity, ItemKNN, EASE, MF-BPR and LightGCN on built-in synthetic data and compare them.") { output };
        cmd.SetAction(p => Terminal.Guard(() =>
        {
            string root = p.GetValue(output)!;
            // Every run directory is checked, then locked and emptied of the previous demo's files, before any training:
            // a folder EmbedRec did not write, or a concurrent writer, stops the demo before it deletes or trains anything.
            foreach (var (model, _) in Models) OwnedDirectory.ThrowIfNotReplaceable(Path.Combine(root, model), DirectoryKind.Run);
            var runs = new Dictionary<string, RunDirectory>();
            try
            {
                foreach (var (model, _) in Models) runs[model] = RunDirectory.OpenForWriting(Path.Combine(root, model), ClaimMode.Replace);
                return TrainAll(root, runs);
            }
            finally
            {
                foreach (var r in runs.Values) r.Dispose();
            }
        }));
        return cmd;
    }

    private static int TrainAll(string root, Dictionary<string, RunDirectory> runs)
    {
        var total = Stopwatch.StartNew();
        var rows = new List<IReadOnlyList<string>>();
        Data.Splits.DataSplit? split = null;
        foreach (var (model, settings) in Models)
        {
            var cfg = new RunConfig();
            cfg.Set("model", model, "demo");
            cfg.Set("dataset", Experiment.Synthetic, "demo");
            cfg.Set("split", "loo", "demo");
            cfg.Set("topk", "10,20", "demo");
            cfg.Set("metrics", "hit,ndcg,recall", "demo");
            foreach (var s in settings) cfg.Assign(s);
            split ??= Experiment.LoadSplit(RunSpec.Resolve(cfg).Data, Data.Registry.DatasetRegistry.Default());
            if (rows.Count == 0)
                Console.WriteLine($"synthetic data: {split.UserCount:N0} users, {split.ItemCount:N0} items, {split.Train.Count:N0} training interactions; leave-one-out, full ranking");
            Console.WriteLine($"training {model} ...");
            var r = TrainCommands.RunWithProgress(cfg, split, runs[model], false);
            rows.Add([model, r.Test["ndcg@10"].ToString("0.0000", Inv), r.Test["hit@10"].ToString("0.0000", Inv), r.Test["recall@20"].ToString("0.0000", Inv),
                r.BestEpoch.ToString(Inv), r.TrainSeconds.ToString("0.0", Inv)]);
        }
        Terminal.Table("Test results (synthetic data, leave-one-out, full ranking)", ["model", "NDCG@10", "HR@10", "Recall@20", "epoch", "train s"], rows);
        Console.WriteLine($"done in {total.Elapsed.TotalSeconds:0.0}s; run directories under {Path.GetFullPath(root)}");
        return 0;
    }
}
