using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EmbedRec.Config;
using EmbedRec.Data.Registry;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Training;

namespace EmbedRec.Benchmarks;

/// <summary>
/// Training speed of DLR2 on MovieLens 100K under the Leporid split as configured in <c>configs/dlr2-random-ml100k.yaml</c>
/// (batch 32, Adam, cosine steps), for <c>bench/compare.py dlr2</c> (the PyTorch side is <c>bench/peers/dlr2_peer.py</c>).
/// Runs <c>--warmup</c> untimed steps, then times <c>--steps</c> steps (batches drawn on the objective's prefetch thread as in
/// a real run) and prints one JSON line: steps per second, windows per second and the useful GFLOP/s (the network's
/// multiply-adds per window, × 2 × 3 for forward and backward). <c>--frozen</c> freezes the embedding tables (the Leporid
/// config); <c>--profile</c> splits the time into forward (with batch hand-over), backward and optimizer.
/// Usage: <c>dlr2 [--config FILE] [--data DIR] [--steps N] [--warmup W] [--threads T] [--frozen] [--profile]</c>.
/// </summary>
public static class Dlr2Runner
{
    public static int Run(string[] args)
    {
        string? config = null;
        string data = Environment.GetEnvironmentVariable("EMBEDREC_DATA") ?? Path.GetFullPath(Path.Combine("..", "shared", "data"));
        int steps = 200, warmup = 20, threads = Environment.ProcessorCount;
        bool frozen = false, profile = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--config": config = args[++i]; break;
                case "--data": data = args[++i]; break;
                case "--steps": steps = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--frozen": frozen = true; break;
                case "--profile": profile = true; break;
                default: Console.Error.WriteLine($"dlr2: unknown argument '{args[i]}'"); return 2;
            }
        }
        // Blas reads EMBEDREC_THREADS when first used, which is below.
        Environment.SetEnvironmentVariable("EMBEDREC_THREADS", threads.ToString(CultureInfo.InvariantCulture));
        config ??= Path.Combine(SeqRunner.FindConfigs(), "dlr2-random-ml100k.yaml");
        var cfg = new RunConfig();
        cfg.LoadYaml(config);
        cfg.Set("epochs", "1000");
        if (frozen) cfg.Set("freeze", "[user.weight, item.weight]");
        var spec = RunSpec.Resolve(cfg);
        var registry = new DatasetRegistry(data, KnownDatasets.All);
        var split = DatasetSplits.Resolve(registry, "ml-100k", split: "leporid");
        // The timing does not depend on the embeddings' values, so the initializer (Leporid's spectrum) is skipped.
        var built = Experiment.Build(spec, split, initialize: false);
        var net = (ITrainable)built.Model;
        var plan = built.Plan ?? throw new InvalidOperationException("dlr2: the model is not trained.");
        var objective = plan.Objective;
        var state = new TrainableState(net, objective, spec.Trainer.Freeze);
        var optimizer = plan.CreateOptimizer(state.Trainable);
        net.Network.Train();
        int windows = ((Objectives.Dlr2Objective)objective).WindowCount;
        var options = ((Models.Dlr2)built.Model).Options;
        double fwd = 0, bwd = 0, opt = 0, sum = 0;
        int done = 0, batch = spec.Trainer.BatchSize;
        var rng = new Rng(Trainer.EpochSeed(spec.Trainer.Seed, 1));
        var sw = new Stopwatch();
        var phase = Stopwatch.StartNew();
        while (done < warmup + steps)
        {
            foreach (var loss in objective.Epoch(rng))
            {
                if (done == warmup) { sw.Start(); phase.Restart(); fwd = bwd = opt = sum = 0; }
                fwd += phase.Elapsed.TotalSeconds; phase.Restart();
                optimizer.ZeroGrad();
                sum += loss.Item();
                loss.Backward();
                bwd += phase.Elapsed.TotalSeconds; phase.Restart();
                optimizer.Step();
                opt += phase.Elapsed.TotalSeconds; phase.Restart();
                if (++done == warmup + steps) break;
            }
        }
        double seconds = sw.Elapsed.TotalSeconds;
        var line = new Dictionary<string, object>
        {
            ["side"] = "embedrec", ["model"] = "dlr2", ["steps"] = steps, ["seconds"] = Math.Round(seconds, 3),
            ["steps_per_s"] = Math.Round(steps / seconds, 2), ["windows_per_s"] = Math.Round(steps * (double)batch / seconds, 1),
            ["useful_gflops_per_s"] = Math.Round(3 * 2 * ForwardMacs(options) * steps * batch / seconds / 1e9, 1),
            ["threads"] = threads, ["blas"] = Blas.Current.Name, ["frozen"] = frozen, ["loss"] = Math.Round(sum / steps, 5),
            ["windows"] = windows, ["users"] = split.UserCount, ["items"] = split.ItemCount,
            ["peak_rss_mb"] = Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1),
        };
        if (profile) { line["forward_and_batches"] = Math.Round(fwd, 3); line["backward"] = Math.Round(bwd, 3); line["optimizer"] = Math.Round(opt, 3); }
        Console.WriteLine(JsonSerializer.Serialize(line));
        return 0;
    }

    /// <summary>
    /// Multiply-adds of one window's forward pass (the residual variant): the 1×1 convolution to c channels over the
    /// (l + 1) × d image, the block's two 3×3 c→c convolutions, the stride-2 block's 3×3 c→2c and 2c→2c convolutions and its
    /// 1×1 shortcut over the halved grid, the Linear to d, then the critic twice (positive and negative) and the actor once.
    /// </summary>
    internal static double ForwardMacs(Models.Dlr2Options o)
    {
        int c = o.Channels, d = o.Dim, h = o.Window + 1;
        double full = (double)h * d, half = (double)((h - 1) / 2 + 1) * ((d - 1) / 2 + 1);
        double convs = full * c + 2 * full * c * c * 9 + half * (2 * c) * c * 9 + half * (2 * c) * (2 * c) * 9 + half * (2 * c) * c;
        double fc = half * 2 * c * d;
        static double Head(int input, IReadOnlyList<int> hidden, int output)
        {
            double macs = 0;
            int width = input;
            foreach (int w in hidden) { macs += (double)width * w; width = w; }
            return macs + (double)width * output;
        }
        return convs + fc + 2 * Head(2 * d, o.HeadLayers, 1) + Head(d, o.HeadLayers, d);
    }
}
