namespace EmbedRec.Evaluation;

/// <summary>How a <see cref="TestResult"/>'s p-value was obtained, or why it has none.</summary>
public enum TestMethod
{
    /// <summary>Paired t-test: Student's t distribution with n − 1 degrees of freedom.</summary>
    StudentT,

    /// <summary>Wilcoxon: exact null distribution of W⁺ over the 2ⁿ sign assignments of the ranks 1..n (no ties, no zeros, n ≤ 50).</summary>
    Exact,

    /// <summary>
    /// Wilcoxon: exact conditional null distribution of W⁺ over all 2ⁿ sign flips of the observed differences, with
    /// their tied mid-ranks and with zeros contributing nothing (ties or zeros, n ≤ 13 pairs).
    /// </summary>
    ExactPermutation,

    /// <summary>Wilcoxon: normal approximation of W⁺ with tie correction, no continuity correction.</summary>
    NormalApproximation,

    /// <summary>Every difference is zero: no test is possible, and the statistic and p-value are NaN.</summary>
    AllDifferencesZero,

    /// <summary>
    /// Paired t-test: every difference equals the same non-zero value, so the variance is zero and t is infinite;
    /// the p-value is NaN (scipy reports 0, which no finite sample supports).
    /// </summary>
    ZeroVariance,
}

/// <summary>A test statistic, its two-sided p-value and how that p-value was obtained.</summary>
/// <param name="Statistic">t for the t-test; W = min(W⁺, W⁻) for Wilcoxon; NaN when every difference is zero.</param>
/// <param name="PValue">Two-sided p-value; NaN when <paramref name="Method"/> says no test was possible.</param>
/// <param name="N">Pairs used (Wilcoxon drops zero differences).</param>
/// <param name="MeanDifference">Mean of a − b over all pairs.</param>
/// <param name="Method">How <paramref name="PValue"/> was obtained, or why it is NaN.</param>
public sealed record TestResult(double Statistic, double PValue, int N, double MeanDifference, TestMethod Method);

/// <summary>
/// Paired significance tests over per-user or per-seed values, with the p-values of scipy.stats 1.15–1.18
/// (<c>ttest_rel</c>; <c>wilcoxon</c> with its defaults: two-sided, zero_method "wilcox", no continuity correction,
/// method "auto"). Checked against scipy by Fixtures/make_significance.py in the tests.
/// </summary>
public static class Significance
{
    /// <summary>Largest number of pairs for which Wilcoxon uses an exact distribution (scipy's "auto": 50).</summary>
    public const int ExactMaxPairs = 50;

    /// <summary>
    /// Largest number of pairs for which Wilcoxon with ties or zeros enumerates all 2ⁿ sign flips (scipy's "auto": 13,
    /// the largest n with 2ⁿ below its default 9999 permutation resamples).
    /// </summary>
    public const int PermutationMaxPairs = 13;

    /// <summary>Paired t-test of a against b (scipy.stats.ttest_rel), on a − b.</summary>
    /// <exception cref="ArgumentException">Lengths differ or there are fewer than 2 pairs.</exception>
    public static TestResult PairedTTest(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var d = Differences(a, b);
        int n = d.Length;
        if (n < 2) throw new ArgumentException($"A paired t-test needs at least 2 pairs, got {n}.");
        double mean = d.Average();
        double ss = d.Sum(x => (x - mean) * (x - mean));
        double sd = Math.Sqrt(ss / (n - 1));
        if (d.All(x => x == 0)) return new TestResult(double.NaN, double.NaN, n, 0, TestMethod.AllDifferencesZero);
        if (sd == 0) return new TestResult(Math.Sign(mean) * double.PositiveInfinity, double.NaN, n, mean, TestMethod.ZeroVariance);
        double t = mean / (sd / Math.Sqrt(n));
        double df = n - 1;
        double p = SpecialFunctions.RegularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t));
        return new TestResult(t, Math.Min(1, p), n, mean, TestMethod.StudentT);
    }

    /// <summary>
    /// Two-sided Wilcoxon signed-rank test of a against b, following scipy.stats.wilcoxon(a, b) from scipy 1.15 on
    /// (method "auto", zero_method "wilcox"): zero differences are dropped and the others ranked by |a − b| with
    /// mid-ranks for ties (equal as doubles). With n pairs (zeros included):
    /// <list type="bullet">
    /// <item>n ≤ 50, no ties and no zeros: the exact distribution of W⁺ (<see cref="TestMethod.Exact"/>);</item>
    /// <item>n ≤ 13 with ties or zeros: the exact distribution of W⁺ over all 2ⁿ sign flips of the observed mid-ranks
    /// (<see cref="TestMethod.ExactPermutation"/>, what scipy's permutation test computes for such n);</item>
    /// <item>otherwise the normal approximation with tie correction and no continuity correction.</item>
    /// </list>
    /// p = 2·min(P(W⁺ ≤ w⁺), P(W⁺ ≥ w⁺)), at most 1. When every difference is zero there is no test:
    /// <see cref="TestMethod.AllDifferencesZero"/> with NaN statistic and p-value.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ or there are no pairs.</exception>
    public static TestResult Wilcoxon(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var all = Differences(a, b);
        if (all.Length == 0) throw new ArgumentException("A Wilcoxon test needs at least 1 pair, got 0.");
        double meanDiff = all.Average();
        var d = all.Where(x => x != 0).ToArray();
        int n = d.Length, zeros = all.Length - n;
        if (n == 0) return new TestResult(double.NaN, double.NaN, 0, meanDiff, TestMethod.AllDifferencesZero);

        // Twice the mid-ranks of |d|, which are integers: a tie over sorted positions s..e has rank (s + e + 2) / 2.
        var order = Enumerable.Range(0, n).OrderBy(i => Math.Abs(d[i])).ToArray();
        var rank2 = new int[n];
        bool ties = false;
        double tieTerm = 0;
        for (int s = 0; s < n;)
        {
            int e = s;
            while (e + 1 < n && Math.Abs(d[order[e + 1]]) == Math.Abs(d[order[s]])) e++;
            for (int k = s; k <= e; k++) rank2[order[k]] = s + e + 2;
            int t = e - s + 1;
            if (t > 1) { ties = true; tieTerm += (double)t * t * t - t; }
            s = e + 1;
        }
        long plus2 = 0, total2 = (long)n * (n + 1); // long: per-user comparisons pass 46,340 pairs
        for (int i = 0; i < n; i++) if (d[i] > 0) plus2 += rank2[i];
        double wPlus = plus2 / 2.0, w = Math.Min(plus2, total2 - plus2) / 2.0;

        TestMethod method = all.Length > ExactMaxPairs ? TestMethod.NormalApproximation
            : !ties && zeros == 0 ? TestMethod.Exact
            : all.Length <= PermutationMaxPairs ? TestMethod.ExactPermutation
            : TestMethod.NormalApproximation;
        double p;
        if (method == TestMethod.NormalApproximation)
        {
            double mean = n * (n + 1.0) / 4;
            double sd = Math.Sqrt((n * (n + 1.0) * (2 * n + 1) - tieTerm / 2) / 24);
            p = 2 * SpecialFunctions.NormalCdf(-Math.Abs(wPlus - mean) / sd);
        }
        else
        {
            p = SignFlipPValue(rank2, (int)plus2); // n ≤ 50 here, so the sum fits
        }
        return new TestResult(w, Math.Min(1, p), n, meanDiff, method);
    }

    /// <summary>2·min(P(S ≤ observed), P(S ≥ observed)) for S = Σ of the weights with random signs (each in or out with 1/2).</summary>
    private static double SignFlipPValue(int[] weights, int observed)
    {
        // counts[s] = number of sign assignments whose positive weights sum to s; at most 2⁵⁰, exact in a double.
        int max = weights.Sum();
        var counts = new double[max + 1];
        counts[0] = 1;
        int reach = 0;
        foreach (int r in weights)
        {
            reach += r;
            for (int s = reach; s >= r; s--) counts[s] += counts[s - r];
        }
        double below = 0, above = 0;
        for (int s = 0; s <= observed; s++) below += counts[s];
        for (int s = observed; s <= max; s++) above += counts[s];
        return 2 * Math.Min(below, above) / Math.Pow(2, weights.Length);
    }

    private static double[] Differences(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"Paired tests need equal lengths, got {a.Count} and {b.Count}.");
        return a.Zip(b, (x, y) => x - y).ToArray();
    }
}
