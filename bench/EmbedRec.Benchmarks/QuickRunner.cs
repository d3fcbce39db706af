using System.Diagnostics;
using System.Text.Json;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Tensors.Nn;
using EmbedRec.Tensors.Optim;

namespace EmbedRec.Benchmarks;

/// <summary>
/// Plain timers for side-by-side comparison with the peer scripts in bench/peers (which time the
/// same shapes the same way): warm up, then repeat until a time budget is spent and report the
/// median. Usage: <c>quick gemm|gemm-peak|blas-choice|overhead|alloc|all|eval|train|sevo|directspec|leporid|leporid-scale|seqops|spmm [--json] [--seconds S] [--block N] [--only DATASET:MODEL ...]</c>.
/// </summary>
public static class QuickRunner
{
    /// <summary>
    /// Scoring 256 users against 3,706 items, a batch of 25,600 through a 64×64 layer and that layer's weight gradient,
    /// a small product, and two square ones.
    /// </summary>
    public static readonly (int M, int K, int N)[] GemmShapes =
        [(256, 64, 3706), (25600, 64, 64), (64, 25600, 64), (100, 50, 200), (1024, 1024, 1024), (2048, 2048, 2048)];

    public static int Run(string[] args)
    {
        string what = args.FirstOrDefault(a => !a.StartsWith("--")) ?? "all";
        bool json = args.Contains("--json");
        double seconds = 1.0;
        int si = Array.IndexOf(args, "--seconds");
        if (si >= 0 && si + 1 < args.Length) seconds = double.Parse(args[si + 1], System.Globalization.CultureInfo.InvariantCulture);
        if (what == "blas-choice")
        {
            // Before anything touches Blas.Current: each column chooses its own backend in its own process.
            var r = BlasChoiceRunner.Run(args, seconds);
            if (json || args.Contains("--column")) Console.WriteLine(JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        var results = new Dictionary<string, object>();
        var info = EngineInfo.Current();
        results["engine"] = new { blas = info.BlasDescription, managed = info.ManagedKernel, threads = info.Threads, coretype = Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? "" };
        if (what is "gemm" or "all") results["gemm"] = Gemm(seconds);
        if (what == "gemm-peak") results["gemm_peak"] = GemmPeakRunner.Run(args);
        if (what is "overhead" or "all") results["overhead_ns"] = Overhead(seconds);
        if (what is "alloc" or "all") results["alloc"] = Alloc();
        if (what == "train")
        {
            var only = args.Select((a, k) => (a, k)).Where(x => x.a == "--only" && x.k + 1 < args.Length).Select(x => args[x.k + 1]).ToArray();
            results["train"] = TrainRunner.Run(only);
        }
        if (what == "sevo") results["sevo"] = TrainRunner.Sevo();
        if (what == "directspec") results["directspec"] = TrainRunner.DirectSpec();
        if (what == "leporid") results["leporid"] = LeporidRunner.Run(args);
        if (what == "leporid-scale") results["leporid_scale"] = LeporidScaleRunner.Run(args);
        if (what == "seqops") results["seqops"] = SeqOpsRunner.Run(args, seconds);
        if (what == "spmm") results["spmm"] = SpmmRunner.Run(args);
        if (what == "eval")
        {
            int bi = Array.IndexOf(args, "--block");
            int block = bi >= 0 && bi + 1 < args.Length ? int.Parse(args[bi + 1], System.Globalization.CultureInfo.InvariantCulture) : 512;
            results["eval"] = EvalRunner.Run(block, 3);
        }
        if (json) Console.WriteLine(JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
        else Print(results);
        return 0;
    }

    private static void Print(Dictionary<string, object> r)
    {
        foreach (var (k, v) in r) Console.WriteLine($"{k}: {JsonSerializer.Serialize(v)}");
    }

    /// <summary>Median seconds per call of <paramref name="body"/> over a time budget.</summary>
    public static double Time(Action body, double budgetSeconds, int minRuns = 3)
    {
        body();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < minRuns || total.Elapsed.TotalSeconds < budgetSeconds)
        {
            var sw = Stopwatch.StartNew();
            body();
            times.Add(sw.Elapsed.TotalSeconds);
            if (times.Count > 100000) break;
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static List<object> Gemm(double seconds)
    {
        // Every native timing runs before any managed one: after a managed Parallel.For the
        // .NET pool's workers spin for a while and would steal cores from OpenBLAS's threads.
        var native = Blas.TryNative();
        var data = GemmShapes.Select(s =>
        {
            var rng = new Rng(1);
            var a = new float[s.M * s.K]; var b = new float[s.K * s.N];
            rng.FillNormal(a); rng.FillNormal(b);
            return (s.M, s.K, s.N, A: a, B: b, C: new float[s.M * s.N]);
        }).ToList();
        var nat = data.Select(d => native is null ? (double?)null
            : 2.0 * d.M * d.N * d.K / Time(() => native.Sgemm(false, false, d.M, d.N, d.K, 1f, d.A, d.K, d.B, d.N, 0f, d.C, d.N), seconds) / 1e9).ToList();
        var man = data.Select(d =>
            2.0 * d.M * d.N * d.K / Time(() => Blas.Managed.Sgemm(false, false, d.M, d.N, d.K, 1f, d.A, d.K, d.B, d.N, 0f, d.C, d.N), seconds) / 1e9).ToList();
        var auto = Blas.Current;
        var aut = data.Select(d =>
            2.0 * d.M * d.N * d.K / Time(() => auto.Sgemm(false, false, d.M, d.N, d.K, 1f, d.A, d.K, d.B, d.N, 0f, d.C, d.N), seconds) / 1e9).ToList();
        return data.Select((d, i) => (object)new
        {
            shape = $"[{d.M}x{d.K}]x[{d.K}x{d.N}]", native_gflops = nat[i], managed_gflops = man[i], auto_gflops = aut[i],
            auto_backend = auto is AutoBlas a ? a.BackendFor(d.M, d.N, d.K).Name : auto.Name,
        }).ToList();
    }

    /// <summary>Nanoseconds per call of a 64-float add with autograd recording (forward only, and forward + backward).</summary>
    private static object Overhead(double seconds)
    {
        var a = Tensor.Ones(64); a.RequiresGrad = true;
        var b = Tensor.Ones(64); b.RequiresGrad = true;
        const int inner = 1000;
        double fwd = Time(() =>
        {
            for (int i = 0; i < inner; i++) Ops.Add(a, b).Dispose();
        }, seconds) / inner * 1e9;
        double noGrad;
        using (GradMode.NoGrad())
            noGrad = Time(() => { for (int i = 0; i < inner; i++) Ops.Add(a, b).Dispose(); }, seconds) / inner * 1e9;
        double fwdBwd = Time(() =>
        {
            for (int i = 0; i < inner; i++) Ops.Sum(Ops.Add(a, b)).Backward();
        }, seconds) / inner * 1e9;
        return new { add64_recorded = fwd, add64_no_grad = noGrad, add64_plus_sum_backward = fwdBwd };
    }

    /// <summary>Managed bytes allocated per step of a small MLP training loop, early and late.</summary>
    private static object Alloc()
    {
        var rng = new Rng(1);
        var fc1 = new Linear(64, 128, rng);
        var fc2 = new Linear(128, 10, rng);
        var opt = new AdamW(fc1.Parameters().Concat(fc2.Parameters()));
        var x = Tensor.RandomNormal(rng, [256, 64]);
        var y = Enumerable.Range(0, 256).Select(i => i % 10).ToArray();
        void Step()
        {
            opt.ZeroGrad();
            var loss = Ops.CrossEntropy(fc2.Forward(Ops.Gelu(fc1.Forward(x))), y);
            loss.Backward();
            opt.Step();
        }
        long Measure(int steps)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < steps; i++) Step();
            return (GC.GetAllocatedBytesForCurrentThread() - before) / steps;
        }
        long first = Measure(1);
        long early = Measure(100);
        long late = Measure(1000);
        long stepFloatBytes = 4L * (256 * 128 * 3 + 256 * 10 * 2);
        return new { first_step_bytes = first, bytes_per_step_steps_2_101 = early, bytes_per_step_steps_102_1101 = late, float_data_per_step_bytes = stepFloatBytes };
    }
}
