using System.CommandLine;
using System.Globalization;
using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Registry;
using EmbedRec.Evaluation;
using EmbedRec.Training;
using Spectre.Console;

namespace EmbedRec.Cli;

/// <summary><c>embedrec train</c>, <c>evaluate</c> and <c>recommend</c>.</summary>
internal static class TrainCommands
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Train()
    {
        var config = new Option<string[]>("--config") { Description = "YAML configuration file(s), applied in order." };
        var set = new Option<string[]>("--set") { Description = "key=value overrides (repeatable), e.g. --set learning_rate=0.01." };
        var output = new Option<string?>("--out") { Description = "Run directory (default runs/<model>-<dataset>)." };
        var model = new Option<string?>("--model") { Description = "Model: pop, itemknn, userknn, ease, mf, lightgcn, neumf." };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset name, path, or 'synthetic'." };
        var epochs = new Option<int?>("--epochs") { Description = "Maximum epochs." };
        var lr = new Option<float?>("--learning-rate") { Description = "Learning rate." };
        var batch = new Option<int?>("--batch-size") { Description = "Training batch size." };
        var seed = new Option<int?>("--seed") { Description = "Seed." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run in --out from its last epoch." };
        var force = new Option<bool>("--force") { Description = "Replace a previous run directory (only files EmbedRec wrote; anything else is refused)." };
        var cmd = new Command("train", "Train and evaluate a model; writes a run directory (config, checkpoint, metrics, history, report).")
        { config, set, output, model, dataset, epochs, lr, batch, seed, resume, force };
        cmd.SetAction(p => Terminal.Guard(() =>
        {
            var cfg = new RunConfig();
            foreach (var f in p.GetValue(config) ?? []) cfg.LoadYaml(f);
            if (p.GetValue(model) is { } m) cfg.Set("model", m, "--model");
            if (p.GetValue(dataset) is { } d) cfg.Set("dataset", d, "--dataset");
            if (p.GetValue(epochs) is { } e) cfg.Set("epochs", e.ToString(Inv), "--epochs");
            if (p.GetValue(lr) is { } l) cfg.Set("learning_rate", l.ToString(Inv), "--learning-rate");
            if (p.GetValue(batch) is { } b) cfg.Set("train_batch_size", b.ToString(Inv), "--batch-size");
            if (p.GetValue(seed) is { } s) cfg.Set("seed", s.ToString(Inv), "--seed");
            foreach (var a in p.GetValue(set) ?? []) cfg.Assign(a);
            cfg.Require("model");
            cfg.Require("dataset");
            cfg.TrainerOptions().Validate();
            string dir = p.GetValue(output) ?? Path.Combine("runs", Experiment.RunName(cfg));
            bool isResume = p.GetValue(resume);
            if (isResume)
            {
                if (!File.Exists(Path.Combine(dir, "state.json"))) throw new FileNotFoundException($"'{dir}' has no state.json to resume from.");
                var saved = new RunConfig();
                saved.LoadYaml(Path.Combine(dir, "config.yaml"));
                cfg = saved;
            }
            else if (!p.GetValue(force) && OwnedDirectory.HasContent(dir))
                throw new IOException($"Run directory '{dir}' exists; use --out for another, --resume to continue it, or --force to replace it.");
            // Locked (and, with --force, emptied of the previous run's files only) before anything else, so a second writer is refused at once.
            using var run = RunDirectory.OpenForWriting(dir, isResume ? ClaimMode.Continue : p.GetValue(force) ? ClaimMode.Replace : ClaimMode.New);
            var split = Experiment.LoadSplit(cfg, DatasetRegistry.Default());
            Console.WriteLine($"{cfg.Require("model")} on {cfg.Require("dataset")}: {split.UserCount:N0} users, {split.ItemCount:N0} items, train {split.Train.Count:N0}, valid {split.Valid.Count:N0}, test {split.Test.Count:N0}");
            var result = RunWithProgress(cfg, split, run, isResume);
            PrintResult(result, cfg.TrainerOptions().ValidMetric);
            Console.WriteLine($"run directory: {run.Path}");
            return 0;
        }));
        return cmd;
    }

    internal static TrainingResult RunWithProgress(RunConfig cfg, Data.Splits.DataSplit split, RunDirectory run, bool resume)
    {
        string metric = cfg.TrainerOptions().ValidMetric;
        void Line(EpochRecord r) => Console.WriteLine(string.Create(Inv,
            $"epoch {r.Epoch,4}  loss {r.Loss:0.00000}  {r.Seconds:0.00}s{(r.Valid is { } v && v.TryGetValue(metric, out var x) ? $"  valid {metric} {x:0.0000}" : "")}{(r.Erank is { } e ? $"  erank {e:0.0}" : "")}"));
        if (!Terminal.Rich)
        {
            var plain = new Progress<TrainingEvent>(ev =>
            {
                switch (ev)
                {
                    case EpochCompleted ec: Line(ec.Record); break;
                    case EarlyStopped es: Console.WriteLine($"early stop at epoch {es.Epoch}; best {es.Metric} {es.Best:0.0000} at epoch {es.BestEpoch}"); break;
                    case PhaseMessage pm: Console.WriteLine(pm.Text); break;
                }
            });
            return Experiment.Train(cfg, split, run, resume, new SyncProgress(plain));
        }
        TrainingResult? result = null;
        AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).Start(ctx =>
        {
            ProgressTask? task = null;
            var progress = new SyncProgress(new Progress<TrainingEvent>(), ev =>
            {
                switch (ev)
                {
                    case TrainingStarted ts when ts.Epochs > 0:
                        task = ctx.AddTask($"{ts.Model}", maxValue: Math.Max(1, (ts.Epochs - ts.StartEpoch + 1) * ts.BatchesPerEpoch));
                        break;
                    case BatchCompleted bc when task is not null:
                        task.Increment(1);
                        task.Description = string.Create(Inv, $"epoch {bc.Epoch} loss {bc.Loss:0.0000}");
                        break;
                    case EpochCompleted ec: AnsiConsole.MarkupLine(Markup.Escape(string.Create(Inv,
                        $"epoch {ec.Record.Epoch,4}  loss {ec.Record.Loss:0.00000}  {ec.Record.Seconds:0.00}s{(ec.Record.Valid is { } v && v.TryGetValue(metric, out var x) ? $"  valid {metric} {x:0.0000}" : "")}{(ec.Record.Erank is { } e ? $"  erank {e:0.0}" : "")}")));
                        break;
                    case EarlyStopped es:
                        if (task is not null) task.Value = task.MaxValue;
                        AnsiConsole.MarkupLine(Markup.Escape($"early stop at epoch {es.Epoch}; best {es.Metric} {es.Best:0.0000} at epoch {es.BestEpoch}"));
                        break;
                    case PhaseMessage pm: AnsiConsole.MarkupLine(Markup.Escape(pm.Text)); break;
                }
            });
            result = Experiment.Train(cfg, split, run, resume, progress);
            if (task is not null) task.Value = task.MaxValue;
        });
        return result!;
    }

    /// <summary>Reports events synchronously on the training thread (Progress&lt;T&gt; would post them to the thread pool).</summary>
    internal sealed class SyncProgress(Progress<TrainingEvent> inner, Action<TrainingEvent>? direct = null) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent value)
        {
            if (direct is not null) direct(value);
            else ((IProgress<TrainingEvent>)inner).Report(value);
        }
    }

    internal static void PrintResult(TrainingResult r, string validMetric)
    {
        var keys = r.Test.Means.Keys.ToList();
        Terminal.Table($"{r.Model}: test (kept epoch {r.BestEpoch}, {r.TrainSeconds:0.0}s training)", ["metric", "valid", "test"],
            keys.Select(k => (IReadOnlyList<string>)[k, r.Valid is not null && r.Valid.Means.TryGetValue(k, out var v) ? v.ToString("0.0000", Inv) : "", r.Test.Means[k].ToString("0.0000", Inv)]));
    }

    public static Command Evaluate()
    {
        var dir = new Argument<string>("run-dir") { Description = "A run directory written by 'embedrec train'." };
        var which = new Option<string>("--split") { Description = "test (training and validation items excluded) or valid (training items excluded).", DefaultValueFactory = _ => "test" };
        var tail = new Option<bool>("--tail-users") { Description = "Only the 25% of users with the fewest training interactions." };
        var metrics = new Option<string?>("--metrics") { Description = "Metrics instead of the run's, comma-separated (e.g. capped_recall,ndcg)." };
        var topk = new Option<string?>("--topk") { Description = "Cutoffs instead of the run's, comma-separated (e.g. 10,20)." };
        var cmd = new Command("evaluate", "Evaluate a trained run again from its directory alone.") { dir, which, tail, metrics, topk };
        cmd.SetAction(p => Terminal.Guard(() =>
        {
            var (cfg, split, model) = Experiment.Open(p.GetValue(dir)!, DatasetRegistry.Default());
            if (p.GetValue(metrics) is { } m) cfg.Set("metrics", m);
            if (p.GetValue(topk) is { } k) cfg.Set("topk", k);
            var options = cfg.TrainerOptions().Evaluation;
            var train = split.Train.ToUserItems();
            var valid = split.Valid.ToUserItems();
            string s = p.GetValue(which)!;
            var (relevant, exclude) = s switch
            {
                "test" => (split.Test.ToUserItems(), UserItems.Union(train, valid)),
                "valid" => (valid, train),
                _ => throw new ArgumentException($"--split '{s}' is not test or valid."),
            };
            if (p.GetValue(tail))
            {
                var users = Enumerable.Range(0, relevant.UserCount).Where(u => relevant.Degree(u) > 0);
                options = options with { Users = UserGroups.Tail(users, train) };
            }
            var r = FullRankingEvaluator.Evaluate(model, relevant, exclude, options);
            Terminal.Table($"{model.Name}: {s}{(p.GetValue(tail) ? " (tail users)" : "")}, {r.Users.Length:N0} users", ["metric", "value"],
                r.Means.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value.ToString("0.0000", Inv)]));
            return 0;
        }));
        return cmd;
    }

    public static Command Recommend()
    {
        var dir = new Argument<string>("run-dir") { Description = "A run directory written by 'embedrec train'." };
        var user = new Option<string>("--user") { Description = "The user's id as written in the data.", Required = true };
        var k = new Option<int>("--k") { Description = "How many items.", DefaultValueFactory = _ => 10 };
        var cmd = new Command("recommend", "Top-K items for a user, excluding items the user already has.") { dir, user, k };
        cmd.SetAction(p => Terminal.Guard(() =>
        {
            var (_, split, model) = Experiment.Open(p.GetValue(dir)!, DatasetRegistry.Default());
            string ext = p.GetValue(user)!;
            int count = p.GetValue(k);
            if (count < 1) throw new ArgumentException($"--k must be positive, got {count}.");
            if (!split.Train.Users.TryGet(ext, out int u))
                throw new KeyNotFoundException($"User '{ext}' is not in the data ({split.UserCount:N0} users, e.g. {string.Join(", ", split.Train.Users.External.Take(3).Select(x => $"'{x}'"))}).");
            var scores = new float[split.ItemCount];
            model.Score([u], scores);
            foreach (var log in new[] { split.Train, split.Valid, split.Test })
                for (int r = 0; r < log.Count; r++) if (log.User[r] == u) scores[log.Item[r]] = float.NegativeInfinity;
            var top = new int[Math.Min(count, split.ItemCount)];
            int n = TopK.Select(scores, top, new float[top.Length]);
            var cats = split.Train.Categories;
            Terminal.Table($"Top {n} for user '{ext}' ({model.Name})", cats is null ? ["rank", "item", "score"] : ["rank", "item", "score", "categories"],
                top.Take(n).Select((i, r) => (IReadOnlyList<string>)(cats is null
                    ? [(r + 1).ToString(Inv), split.Train.Items[i], scores[i].ToString("0.####", Inv)]
                    : [(r + 1).ToString(Inv), split.Train.Items[i], scores[i].ToString("0.####", Inv), string.Join("|", cats.Of(i).ToArray().Select(c => cats.Names[c]))])));
            return 0;
        }));
        return cmd;
    }
}
