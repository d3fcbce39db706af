using System.Diagnostics;

namespace EmbedRec.Tensors.Kernels;

/// <summary>
/// Times the managed GEMM against OpenBLAS once per shape class (<see cref="GemmShapeClass.Representatives"/>) and
/// checks OpenBLAS against the managed result, on every transpose combination and on each timed shape. Each backend
/// runs each shape once (the results the check compares), then in two alternating rounds of as many calls as fit in
/// 5 ms, at least one; the fastest call counts, so a burst of load from other processes does not decide. About 0.6 s
/// on an idle machine; past <see cref="DeadlineSeconds"/> (a loaded machine) the first call is the timing, to stay short.
/// </summary>
internal static class BlasCalibrator
{
    private const double BlockSeconds = 0.005;

    /// <summary>Elapsed time after which the remaining shapes are timed by their first call only.</summary>
    public const double DeadlineSeconds = 0.8;

    public static BlasCalibration Run(IBlas managed, IBlas native, BlasCalibrationKey key)
    {
        // Sampled before the clock starts: the 0.1 s it takes must not come out of the calibration's time budget.
        double? load = LoadPerProcessor();
        var total = Stopwatch.StartNew();
        bool correct = TransposesAgree(managed, native);
        var results = new List<ShapeClassResult>();
        foreach (var (cls, m, n, k) in GemmShapeClass.Representatives)
        {
            var rng = new Rng((ulong)(m * 31 + n * 7 + k));
            var a = new float[m * k]; var b = new float[k * n];
            rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1);
            var cm = new float[m * n]; var cn = new float[m * n];
            void Native() => native.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, cn, n);
            void Managed() => managed.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, cm, n);
            // OpenBLAS first in each round: after a managed Parallel.For the .NET pool's workers spin for a while.
            // The first calls also give the results the correctness check compares; on a loaded machine they are the timing.
            double tn = Seconds(Native), tm = Seconds(Managed);
            if (total.Elapsed.TotalSeconds <= DeadlineSeconds)
            {
                tn = tm = double.MaxValue;
                for (int round = 0; round < 2; round++)
                {
                    tn = Math.Min(tn, Fastest(Native));
                    tm = Math.Min(tm, Fastest(Managed));
                }
            }
            double err = RelativeError(cn, cm);
            correct &= err <= BlasCalibration.Tolerance;
            double flop = 2.0 * m * n * k;
            results.Add(new ShapeClassResult(cls, m, n, k, flop / tm / 1e9, flop / tn / 1e9, err, "managed"));
        }
        var decided = results.Select(r => r with { Backend = BlasCalibration.Decide(r.ManagedGflops, r.NativeGflops, correct) }).ToList();
        return new BlasCalibration(key, decided, correct, total.Elapsed.TotalSeconds, DateTimeOffset.UtcNow) { LoadPerProcessor = load };
    }

    /// <summary>Samples of the runnable count taken by <see cref="LoadPerProcessor"/>, and the pause between them.</summary>
    private const int LoadSamples = 10, LoadSampleMilliseconds = 10;

    /// <summary>
    /// How busy the machine is now: the threads of other processes runnable, per logical processor, averaged over
    /// <see cref="LoadSamples"/> reads of Linux's /proc/loadavg 10 ms apart (its fourth field, "runnable/total", less
    /// this process's threads in state R, from /proc/self/task); null
    /// where it cannot be read. Not the 1-minute load average, which still counts, for a minute, jobs that have just
    /// stopped or paused, so that a calibration made right after them was marked busy on a quiet machine.
    /// </summary>
    internal static double? LoadPerProcessor()
    {
        try
        {
            if (!File.Exists("/proc/loadavg")) return null;
            double sum = 0;
            for (int i = 0; i < LoadSamples; i++)
            {
                if (i > 0) Thread.Sleep(LoadSampleMilliseconds);
                if (RunnableOthers(File.ReadAllText("/proc/loadavg")) is not int others) return null;
                // This process's own threads (the runtime's compiler and GC threads at start-up) are not competitors.
                sum += Math.Max(0, others - OwnRunnableThreads(excludingCaller: true));
            }
            return sum / LoadSamples / Environment.ProcessorCount;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>This process's threads in state R (running or runnable) from /proc/self/task, optionally less the caller; 0 where unreadable.</summary>
    private static int OwnRunnableThreads(bool excludingCaller)
    {
        int n = 0;
        try
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                try
                {
                    if (RunState(File.ReadAllText(Path.Combine(task, "stat"))) == 'R') n++;
                }
                catch (IOException) { } // the thread ended between the listing and the read
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        return Math.Max(0, n - (excludingCaller ? 1 : 0));
    }

    /// <summary>The state letter of a /proc/&lt;pid&gt;/stat line ("123 (name with spaces) R 1 ..."), or '?' if malformed.</summary>
    internal static char RunState(string stat)
    {
        int close = stat.LastIndexOf(')');
        return close >= 0 && close + 2 < stat.Length ? stat[close + 2] : '?';
    }

    /// <summary>The runnable threads of a /proc/loadavg line ("0.52 0.58 0.59 3/467 12345") less the reader, or null if malformed.</summary>
    internal static int? RunnableOthers(string loadavg)
    {
        var fields = loadavg.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 4) return null;
        int slash = fields[3].IndexOf('/');
        return slash > 0 && int.TryParse(fields[3].AsSpan(0, slash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int runnable)
            ? Math.Max(0, runnable - 1) : null;
    }

    private static double Seconds(Action gemm)
    {
        long t0 = Stopwatch.GetTimestamp();
        gemm();
        return Stopwatch.GetElapsedTime(t0).TotalSeconds;
    }

    /// <summary>The fastest of the calls made in <see cref="BlockSeconds"/>, at least one.</summary>
    private static double Fastest(Action gemm)
    {
        double best = double.MaxValue;
        var block = Stopwatch.StartNew();
        do best = Math.Min(best, Seconds(gemm));
        while (block.Elapsed.TotalSeconds < BlockSeconds);
        return best;
    }

    /// <summary>OpenBLAS agrees with the managed GEMM for every transpose pair with α, β and padded leading dimensions.</summary>
    private static bool TransposesAgree(IBlas managed, IBlas native)
    {
        const int m = 37, n = 29, k = 41;
        var rng = new Rng(13);
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 1;
                var a = new float[(ta ? k : m) * lda]; var b = new float[(tb ? n : k) * ldb]; var c = new float[m * ldc];
                rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1); rng.FillUniform(c, -1, 1);
                var cm = (float[])c.Clone(); var cn = (float[])c.Clone();
                managed.Sgemm(ta, tb, m, n, k, 0.75f, a, lda, b, ldb, -0.5f, cm, ldc);
                native.Sgemm(ta, tb, m, n, k, 0.75f, a, lda, b, ldb, -0.5f, cn, ldc);
                if (!(RelativeError(cn, cm) <= BlasCalibration.Tolerance)) return false;
            }
        return true;
    }

    /// <summary>‖x − y‖ / ‖y‖ (Frobenius, in double); NaN or infinity when x is not finite.</summary>
    internal static double RelativeError(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = (double)x[i] - y[i];
            diff += d * d;
            norm += (double)y[i] * y[i];
        }
        return Math.Sqrt(diff) / Math.Max(Math.Sqrt(norm), double.Epsilon);
    }
}
