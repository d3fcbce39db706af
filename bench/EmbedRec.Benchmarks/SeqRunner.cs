using System.Diagnostics;
using System.Text.Json;
using EmbedRec.Config;
using EmbedRec.Data.Registry;
using EmbedRec.Data.Splits;
using EmbedRec.Evaluation;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Training;

namespace EmbedRec.Benchmarks;

/// <summary>
/// Epoch time of the sequential models on Amazon Beauty as configured in <c>configs/{model}[-sevo]-beauty.yaml</c>, for
/// <c>bench/compare.py seq</c> (the PyTorch side is <c>bench/peers/seq_peer.py</c>). Prints one JSON line per epoch
/// (training only: each epoch's batches are drawn on the objective's prefetch thread as in a real run), then peak memory,
/// and with <c>--eval</c> the seconds of one full-ranking evaluation of every user over all items. With <c>--profile</c>
/// each step is split into forward, backward and optimizer time.
/// Usage: <c>seq --model sasrec|gru4rec|bert4rec [--data DIR] [--epochs N] [--threads T] [--sevo] [--eval] [--profile]</c>.
/// </summary>
public static class SeqRunner
{
    public static int Run(string[] args)
    {
        string model = "sasrec", data = Environment.GetEnvironmentVariable("EMBEDREC_DATA") ?? Path.GetFullPath(Path.Combine("..", "shared", "data"));
        int epochs = 2, threads = Environment.ProcessorCount;
        bool sevo = false, eval = false, profile = false;
        string? configDir = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--model": model = args[++i]; break;
                case "--data": data = args[++i]; break;
                case "--epochs": epochs = int.Parse(args[++i]); break;
                case "--threads": threads = int.Parse(args[++i]); break;
                case "--configs": configDir = args[++i]; break;
                case "--sevo": sevo = true; break;
                case "--eval": eval = true; break;
                case "--profile": profile = true; break;
                default: Console.Error.WriteLine($"seq: unknown argument '{args[i]}'"); return 2;
            }
        }
        // A data folder that is the dataset itself (…/amazon-beauty) is accepted as well as its parent.
        if (File.Exists(Path.Combine(data, "Beauty.txt"))) data = Path.GetDirectoryName(Path.GetFullPath(data))!;
        // Blas reads EMBEDREC_THREADS when first used, which is below.
        Environment.SetEnvironmentVariable("EMBEDREC_THREADS", threads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        configDir ??= FindConfigs();
        var file = Path.Combine(configDir, $"{model}{(sevo ? "-sevo" : "")}-beauty.yaml");
        var cfg = new RunConfig();
        cfg.LoadYaml(file);
        cfg.Set("epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        cfg.Set("eval_step", "100000");
        var spec = RunSpec.Resolve(cfg);
        var registry = new DatasetRegistry(data, KnownDatasets.All);
        var split = new LeaveOneOutSplit().Split(registry.Load("amazon-beauty").Log);
        var built = Experiment.Build(spec, split);
        var net = (ITrainable)built.Model;
        var plan = built.Plan ?? throw new InvalidOperationException($"seq: '{model}' is not a trained model.");
        var objective = plan.Objective;
        var state = new TrainableState(net, objective, []);
        var optimizer = plan.CreateOptimizer(state.Trainable);
        net.Network.Train();
        double flops = UsefulFlops(model, split, int.Parse(cfg.Get("model.max_len") ?? "50", System.Globalization.CultureInfo.InvariantCulture),
            double.Parse(cfg.Get("objective.mask_prob") ?? "0.5", System.Globalization.CultureInfo.InvariantCulture));
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var rng = new Rng(Trainer.EpochSeed(spec.Trainer.Seed, epoch));
            double fwd = 0, bwd = 0, opt = 0, sum = 0;
            int batches = 0;
            var sw = Stopwatch.StartNew();
            var phase = Stopwatch.StartNew();
            foreach (var loss in objective.Epoch(rng))
            {
                fwd += phase.Elapsed.TotalSeconds; phase.Restart();
                optimizer.ZeroGrad();
                sum += loss.Item();
                loss.Backward();
                bwd += phase.Elapsed.TotalSeconds; phase.Restart();
                optimizer.Step();
                opt += phase.Elapsed.TotalSeconds; phase.Restart();
                batches++;
            }
            double seconds = sw.Elapsed.TotalSeconds;
            var line = new Dictionary<string, object> { ["side"] = "embedrec", ["model"] = model, ["sevo"] = sevo, ["epoch"] = epoch, ["seconds"] = Math.Round(seconds, 3),
                ["batches"] = batches, ["loss"] = Math.Round(sum / Math.Max(1, batches), 5), ["threads"] = threads, ["blas"] = Blas.Current.Name };
            line["useful_gflops_per_s"] = Math.Round(flops / seconds / 1e9, 1);
            if (profile) { line["forward_and_batches"] = Math.Round(fwd, 3); line["backward"] = Math.Round(bwd, 3); line["optimizer"] = Math.Round(opt, 3); }
            Console.WriteLine(JsonSerializer.Serialize(line));
        }
        if (eval)
        {
            net.Network.Eval();
            var context = ScoringContext.ForTest(split);
            var sw = Stopwatch.StartNew();
            var result = FullRankingEvaluator.Evaluate(built.Model, split.Test.ToUserItems(), context, spec.Trainer.Evaluation);
            Console.WriteLine(JsonSerializer.Serialize(new { phase = "eval", side = "embedrec", model, seconds = Math.Round(sw.Elapsed.TotalSeconds, 3), users = result.Users.Length, ndcg10 = result.Means.GetValueOrDefault("ndcg@10") }));
        }
        Console.WriteLine(JsonSerializer.Serialize(new { side = "embedrec", model, peak_rss_mb = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1) }));
        return 0;
    }

    /// <summary>
    /// Useful floating-point work of one training epoch (2 per multiply-add; training = 3 × forward, the usual
    /// forward + two backward GEMMs), counted on real tokens only. SASRec: per block and token 6d² (q, k, v, output and
    /// the two FFN layers) plus 2d per causal attention pair (scores and values), and 2d per token for the BCE dots.
    /// GRU4Rec: 3H(d + H) per real prefix token, Hd for the dense layer and 2d for the BPR dots per prefix. BERT4Rec: per
    /// layer and token 4d² + 2·4d² (projections, FFN 4d), 2d per attention pair (bidirectional), and items × d per masked
    /// position (mask_prob × tokens, its expectation) for the output layer. Padding and optimizer work are not counted.
    /// </summary>
    private static double UsefulFlops(string model, DataSplit split, int maxLen, double maskProb)
    {
        var seqs = EmbedRec.Data.UserSequences.From(split.Train);
        int d = 64, items = split.ItemCount;
        double tokens = 0, pairs = 0, prefixTokens = 0, prefixes = 0, causalPairs = 0;
        for (int u = 0; u < seqs.UserCount; u++)
        {
            int n = seqs.Degree(u);
            int l = Math.Min(n - 1, maxLen);            // SASRec: inputs
            if (l >= 1) { tokens += l; causalPairs += l * (l + 1) / 2.0; }
            int lb = Math.Min(n, maxLen);               // BERT4Rec: whole sequence
            pairs += (double)lb * lb;
            for (int k = 2; k <= n; k++) { prefixTokens += Math.Min(k - 1, maxLen); prefixes++; }
        }
        double macs = model switch
        {
            "sasrec" => 2 * (6.0 * d * d * tokens + 2.0 * d * causalPairs) + 2.0 * d * tokens,
            "gru4rec" => 3.0 * d * (d + d) * prefixTokens + (d * d + 2.0 * d) * prefixes,
            _ => 2 * (12.0 * d * d * TotalTokens(seqs, maxLen) + 2.0 * d * pairs) + maskProb * TotalTokens(seqs, maxLen) * (items + 2) * d,
        };
        return 3 * 2 * macs;
    }

    private static double TotalTokens(EmbedRec.Data.UserSequences seqs, int maxLen)
    {
        double t = 0;
        for (int u = 0; u < seqs.UserCount; u++) t += Math.Min(seqs.Degree(u), maxLen);
        return t;
    }

    internal static string FindConfigs()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "configs")) && File.Exists(Path.Combine(dir.FullName, "configs", "sasrec-beauty.yaml")))
                return Path.Combine(dir.FullName, "configs");
        throw new DirectoryNotFoundException("seq: cannot find the repository's configs/ folder; pass --configs DIR.");
    }
}
