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
        var model = new Option<string?>("--model") { Description = $"Model: {string.Join(", ", Registry.Default.Models.Select(m => m.Name))}." };
        var dataset = new Option<string?>("--dataset") { Description = "Dataset name, path, or 'synthetic'." };
        // Numbers are passed to the configuration as text, so its binder checks type and range with the config keys' messages.
        var epochs = new Option<string?>("--epochs") { Description = "Maximum epochs (the epochs key)." };
        var lr = new Option<string?>("--learning-rate") { Description = "Learning rate (the learning_rate key)." };
        var batch = new Option<string?>("--batch-size") { Description = "Training batch size (the train_batch_size key)." };
        var seed = new Option<string?>("--seed") { Description = "Seed (the seed key)." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run in --out from its last saved epoch; --epochs may change it, other values that differ from its config.yaml are refused." };
        var force = new Option<bool>("--force") { Description = "Replace a previous run directory (only files EmbedRec wrote; anything else is refused)." };
        var cmd = new Command("train", "Train and evaluate a model; writes a run directory (config, checkpoint, metrics, history, report).")
        { config, set, output, model, dataset, epochs, lr, batch, seed, resume, force };
        cmd.SetAction(p => Terminal.Guard(() =>
        {
            var cfg = new RunConfig();
            foreach (var f in p.GetValue(config) ?? []) cfg.LoadYaml(f);
            if (p.GetValue(model) is { } m) cfg.Set("model", m, "--model");
            if (p.GetValue(dataset) is { } d) cfg.Set("dataset", d, "--dataset");
            if (p.GetValue(epochs) is { } e) cfg.Set("epochs", e, "--epochs");
            if (p.GetValue(lr) is { } l) cfg.Set("learning_rate", l, "--learning-rate");
            if (p.GetValue(batch) is { } b) cfg.Set("train_batch_size", b, "--batch-size");
            if (p.GetValue(seed) is { } s) cfg.Set("seed", s, "--seed");
            foreach (var a in p.GetValue(set) ?? []) cfg.Assign(a);
            bool isResume = p.GetValue(resume);
            if (isResume && p.GetValue(force)) throw new ArgumentException("--force cannot be combined with --resume: --resume continues the run in --out, --force replaces it.");
            string? outDir = p.GetValue(output);
            RunSpec spec;
            string dir;
            if (isResume && outDir is not null) dir = outDir;
            else
            {
                spec = RunSpec.Resolve(cfg);
                if (spec.Data.Dataset is null) throw new FormatException("The configuration needs 'dataset' (--dataset NAME, a path, or 'synthetic').");
                dir = outDir ?? Path.Combine("runs", spec.RunName);
            }
            if (isResume)
            {
                // Which values given with --resume apply is decided under the lock, before anything is written.
                if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"'{dir}' does not exist, so there is no run to resume.");
            }
            else if (!p.GetValue(force) && OwnedDirectory.HasContent(dir))
                throw new IOException($"Run directory '{dir}' exists; use --out for another, --resume to continue it, or --force to replace it.");
            // Locked (and, with --force, emptied of the previous run's files only) before anything else, so a second writer is refused at once.
            using var run = RunDirectory.OpenForWriting(dir, isResume ? ClaimMode.Continue : p.GetValue(force) ? ClaimMode.Replace : ClaimMode.New);
            if (isResume)
            {
                var saved = File.Exists(run.Config) ? RecordedConfig.Read(run.Config) : new RunConfig();
                spec = RunSpec.Resolve(ResumeRules.Apply(run, cfg));
                if (spec.Trainer.Epochs != RunSpec.Resolve(saved).Trainer.Epochs)
                    Console.WriteLine(string.Create(Inv, $"resuming to {spec.Trainer.Epochs} epochs instead of {RunSpec.Resolve(saved).Trainer.Epochs} (config.yaml is updated once the data checks out)"));
            }
            else spec = RunSpec.Resolve(cfg);
            var registry = DatasetRegistry.Default();
            LoadedData data;
            if (isResume)
            {
                // A relative dataset path is read where the run recorded it (data.json), not from the working directory;
                // the pin keeps the configured name so the check against data.json compares like with like.
                data = Experiment.LoadData(Experiment.AtRecordedLocation(spec.Data, DataPin.Read(run.Path), registry), registry);
                data = data with { Pin = data.Pin with { Dataset = spec.Data.Dataset ?? "" } };
            }
            else data = Experiment.LoadData(spec.Data, registry);
            var split = data.Split;
            Console.WriteLine($"{spec.Model.Registration.Name} on {spec.Data.Dataset}: {split.UserCount:N0} users, {split.ItemCount:N0} items, train {split.Train.Count:N0}, valid {split.Valid.Count:N0}, test {split.Test.Count:N0}");
            var result = RunWithProgress(spec, data, run, isResume);
            PrintResult(result, spec.Trainer.ValidMetric);
            Console.WriteLine($"run directory: {run.Path}");
            return 0;
        }));
        return cmd;
    }

    internal static TrainingResult RunWithProgress(RunConfig cfg, Data.Splits.DataSplit split, RunDirectory run, bool resume) =>
        RunWithProgress(RunSpec.Resolve(cfg), split, run, resume);

    internal static TrainingResult RunWithProgress(RunSpec cfg, Data.Splits.DataSplit split, RunDirectory run, bool resume) =>
        RunWithProgress(cfg, new LoadedData(split, DataPin.Of(cfg.Data.Dataset ?? "", null, null, split)), run, resume);

    internal static TrainingResult RunWithProgress(RunSpec cfg, LoadedData data, RunDirectory run, bool resume)
    {
        string metric = cfg.Trainer.ValidMetric;
        void Line(EpochRecord r) => Console.WriteLine(string.Create(Inv,
            $"epoch {r.Epoch,4}  loss {r.Loss:0.00000}  {r.Seconds:0.00}s{(r.Valid is { } v && v.TryGetValue(metric, out var x) ? $"  valid {metric} {x:0.0000}" : "")}{(r.Erank is { } e ? $"  erank {e:0.0}" : "")}"));
        if (!Terminal.Rich)
        {
            var ticker = new EvaluationTicker(Console.WriteLine);
            var plain = new SyncProgress<TrainingEvent>(ev =>
            {
                switch (ev)
                {
                    case EvaluationProgressed ep: ticker.Report(PartName(ep.Part), new EvaluationProgress(ep.UsersDone, ep.UsersTotal)); break;
                    case EpochCompleted ec: Line(ec.Record); break;
                    case EarlyStopped es: Console.WriteLine($"early stop at epoch {es.Epoch}; best {es.Metric} {es.Best:0.0000} at epoch {es.BestEpoch}"); break;
                    case PhaseMessage pm: Console.WriteLine(pm.Text); break;
                }
            });
            return Experiment.Train(cfg, data, run, resume, plain);
        }
        TrainingResult? result = null;
        AnsiConsole.Progress().AutoClear(true).HideCompleted(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).Start(ctx =>
        {
            ProgressTask? task = null, evaluation = null;
            var progress = new SyncProgress<TrainingEvent>(ev =>
            {
                switch (ev)
                {
                    case EvaluationProgressed ep:
                        // A task of its own for each evaluation, so its elapsed time is its own; hidden once complete.
                        if (ep.UsersDone == 0 || evaluation is null) evaluation = ctx.AddTask($"evaluating {PartName(ep.Part)}", maxValue: Math.Max(1, ep.UsersTotal));
                        evaluation.Value = ep.UsersDone;
                        if (ep.UsersDone >= ep.UsersTotal) evaluation.StopTask();
                        break;
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
            result = Experiment.Train(cfg, data, run, resume, progress);
            if (task is not null) task.Value = task.MaxValue;
        });
        return result!;
    }

    /// <summary>How the output names a held-out part ("valid", "test"), as the config's metric keys and --split do.</summary>
    private static string PartName(HeldOut part) => part == HeldOut.Valid ? "valid" : "test";

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
        var minTrain = new Option<int>("--min-train-items") { Description = "Only users with at least this many training interactions (e.g. more than a sequential model's window)." };
        var maxTrain = new Option<int?>("--max-train-items") { Description = "Only users with at most this many training interactions." };
        var metrics = new Option<string?>("--metrics") { Description = "Metrics instead of the run's, comma-separated (e.g. capped_recall,ndcg)." };
        var topk = new Option<string?>("--topk") { Description = "Cutoffs instead of the run's, comma-separated (e.g. 10,20)." };
        var allow = AllowDataChangeOption();
        var cmd = new Command("evaluate", "Evaluate a trained run again from its directory alone.") { dir, which, tail, minTrain, maxTrain, metrics, topk, allow };
        cmd.SetAction(p => Terminal.Guard(() =>
        {
            var run = Open(p.GetValue(dir)!, p.GetValue(allow));
            var options = run.Spec.Trainer.Evaluation;
            if (p.GetValue(metrics) is { } m) options = options with { Metrics = m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(MetricNames.Parse).ToArray() };
            if (p.GetValue(topk) is { } k) options = TrainerOptions.Binder.Bind(new Dictionary<string, Config.ConfigValue> { ["topk"] = new(k, "--topk") }).Evaluation with { Metrics = options.Metrics, BlockSize = options.BlockSize };
            string s = p.GetValue(which)!;
            var part = s switch
            {
                "test" => HeldOut.Test,
                "valid" => HeldOut.Valid,
                _ => throw new ArgumentException($"--split '{s}' is not test or valid."),
            };
            int least = p.GetValue(minTrain);
            int? most = p.GetValue(maxTrain);
            if (least < 0) throw new ArgumentException($"--min-train-items must be ≥ 0, got {least}.");
            if (most is { } m2 && m2 < least) throw new ArgumentException($"--max-train-items {m2} is below --min-train-items {least}: no user can be in that range.");
            var users = new UserSelection { Tail = p.GetValue(tail), MinTrainItems = least, MaxTrainItems = most };
            var r = EvaluateWithProgress(run, part, s, options, users);
            Terminal.Table($"{run.Model.Name}: {s}{(users.All ? "" : $" ({users.Describe()})")}, {r.Users.Length:N0} users", ["metric", "value"],
                r.Means.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value.ToString("0.0000", Inv)]));
            return 0;
        }));
        return cmd;
    }

    /// <summary>Evaluates a reopened run with a progress bar (rich terminal) or a line every 30 s of a long evaluation (plain output).</summary>
    private static EvaluationResult EvaluateWithProgress(TrainedRun run, HeldOut part, string name, EvaluationOptions options, UserSelection users)
    {
        if (!Terminal.Rich)
        {
            var ticker = new EvaluationTicker(Console.WriteLine);
            return run.Evaluate(part, options, users, new SyncProgress<EvaluationProgress>(e => ticker.Report(name, e)));
        }
        EvaluationResult? result = null;
        AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).Start(ctx =>
        {
            var task = ctx.AddTask($"evaluating {name}", maxValue: 1);
            result = run.Evaluate(part, options, users, new SyncProgress<EvaluationProgress>(e =>
            {
                task.MaxValue = Math.Max(1, e.UsersTotal);
                task.Value = e.UsersDone;
            }));
        });
        return result!;
    }

    private static Option<bool> AllowDataChangeOption() => new("--allow-data-change")
    {
        Description = "Use the data as it is now even when it differs from what the run was trained on (data.json); the output says so.",
    };

    /// <summary>Reopens a run, refusing changed data unless allowed, and says in the output when the data changed or could not be checked.</summary>
    private static TrainedRun Open(string dir, bool allowDataChange)
    {
        var opened = Experiment.Open(dir, DatasetRegistry.Default(), allowDataChange ? DataChangePolicy.Allow : DataChangePolicy.Refuse);
        switch (opened.Data.Status)
        {
            case DataCheckStatus.Changed:
                Console.WriteLine($"note: {opened.Data.Message}; using the data as it is now (--allow-data-change).");
                break;
            case DataCheckStatus.NotRecorded:
                Console.WriteLine($"note: {opened.Data.Message}");
                break;
        }
        return opened.Run;
    }

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>], checked when the command line is parsed.</summary>
    private static int Count(System.CommandLine.Parsing.ArgumentResult r, int min, int max)
    {
        string text = r.Tokens.Count == 1 ? r.Tokens[0].Value : string.Join(' ', r.Tokens.Select(t => t.Value));
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, Inv, out int v) && v >= min && v <= max) return v;
        r.AddError(string.Create(Inv, $"{(r.Parent as System.CommandLine.Parsing.OptionResult)?.Option.Name ?? "value"} must be a whole number from {min:N0} to {max:N0}, got '{text}'"));
        return min;
    }

    public static Command Recommend()
    {
        var dir = new Argument<string>("run-dir") { Description = "A run directory written by 'embedrec train'." };
        var user = new Option<string>("--user") { Description = "The user's id as written in the data.", Required = true };
        var k = new Option<int>("--k") { Description = "How many items (1 to 1,000,000).", DefaultValueFactory = _ => 10, CustomParser = r => Count(r, 1, 1_000_000) };
        var allow = AllowDataChangeOption();
        var cmd = new Command("recommend", "Top-K items for a user, excluding items the user already has.") { dir, user, k, allow };
        cmd.SetAction(p => Terminal.Guard(() =>
        {
            var run = Open(p.GetValue(dir)!, p.GetValue(allow));
            string ext = p.GetValue(user)!;
            var top = run.Recommend(ext, p.GetValue(k));
            bool cats = run.Split.Train.Categories is not null;
            Terminal.Table($"Top {top.Count} for user '{ext}' ({run.Model.Name})", cats ? ["rank", "item", "score", "categories"] : ["rank", "item", "score"],
                top.Select(t => (IReadOnlyList<string>)(cats
                    ? [t.Rank.ToString(Inv), t.Item, t.Score.ToString("0.####", Inv), string.Join("|", t.Categories)]
                    : [t.Rank.ToString(Inv), t.Item, t.Score.ToString("0.####", Inv)])));
            return 0;
        }));
        return cmd;
    }
}
