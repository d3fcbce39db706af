namespace EmbedRec.Evaluation;

/// <summary>A test statistic and its two-sided p-value.</summary>
/// <param name="Statistic">t for the t-test; W = min(W⁺, W⁻) for Wilcoxon.</param>
/// <param name="PValue">Two-sided p-value.</param>
/// <param name="N">Pairs used (Wilcoxon drops zero differences).</param>
/// <param name="MeanDifference">Mean of a − b.</param>
public sealed record TestResult(double Statistic, double PValue, int N, double MeanDifference);

/// <summary>Paired significance tests over per-user or per-seed values (as scipy.stats does them).</summary>
public static class Significance
{
    /// <summary>Paired t-test of a against b (scipy.stats.ttest_rel).</summary>
    public static TestResult PairedTTest(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var d = Differences(a, b);
        int n = d.Length;
        if (n < 2) throw new ArgumentException($"A paired t-test needs at least 2 pairs, got {n}.");
        double mean = d.Average();
        double ss = d.Sum(x => (x - mean) * (x - mean));
        double sd = Math.Sqrt(ss / (n - 1));
        if (sd == 0) return new TestResult(mean == 0 ? double.NaN : Math.Sign(mean) * double.PositiveInfinity, mean == 0 ? 1 : 0, n, mean);
        double t = mean / (sd / Math.Sqrt(n));
        double df = n - 1;
        double p = SpecialFunctions.RegularizedIncompleteBeta(df / 2, 0.5, df / (df + t * t));
        return new TestResult(t, Math.Min(1, p), n, mean);
    }

    /// <summary>
    /// Wilcoxon signed-rank test of a against b, zero differences dropped (scipy's default "wilcox").
    /// Exact null distribution when n ≤ 50 and there are no tied |differences|; otherwise the normal
    /// approximation with tie correction (no continuity correction, as scipy by default).
    /// </summary>
    public static TestResult Wilcoxon(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var d = Differences(a, b).Where(x => x != 0).ToArray();
        int n = d.Length;
        double meanDiff = Differences(a, b).DefaultIfEmpty().Average();
        if (n == 0) return new TestResult(0, 1, 0, meanDiff);
        var order = Enumerable.Range(0, n).OrderBy(i => Math.Abs(d[i])).ToArray();
        var ranks = new double[n];
        bool ties = false;
        double tieTerm = 0;
        for (int s = 0; s < n;)
        {
            int e = s;
            while (e + 1 < n && Math.Abs(d[order[e + 1]]) == Math.Abs(d[order[s]])) e++;
            double avg = (s + e + 2) / 2.0;
            for (int k = s; k <= e; k++) ranks[order[k]] = avg;
            int t = e - s + 1;
            if (t > 1) { ties = true; tieTerm += (double)t * t * t - t; }
            s = e + 1;
        }
        double wPlus = 0, wMinus = 0;
        for (int i = 0; i < n; i++) if (d[i] > 0) wPlus += ranks[i]; else wMinus += ranks[i];
        double w = Math.Min(wPlus, wMinus);
        double p;
        if (n <= 50 && !ties)
        {
            // counts[s] = number of sign assignments with W⁺ = s.
            int max = n * (n + 1) / 2;
            var counts = new double[max + 1];
            counts[0] = 1;
            for (int r = 1; r <= n; r++)
                for (int s = max; s >= r; s--) counts[s] += counts[s - r];
            double total = Math.Pow(2, n), below = 0;
            for (int s = 0; s <= (int)w; s++) below += counts[s];
            p = Math.Min(1, 2 * below / total);
        }
        else
        {
            double mean = n * (n + 1) / 4.0;
            double var = n * (n + 1) * (2 * n + 1) / 24.0 - tieTerm / 48.0;
            double z = (w - mean) / Math.Sqrt(var);
            p = Math.Min(1, 2 * SpecialFunctions.NormalCdf(-Math.Abs(z)));
        }
        return new TestResult(w, p, n, meanDiff);
    }

    private static double[] Differences(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"Paired tests need equal lengths, got {a.Count} and {b.Count}.");
        return a.Zip(b, (x, y) => x - y).ToArray();
    }
}

/// <summary>Log-gamma, the regularized incomplete beta function and the normal CDF.</summary>
public static class SpecialFunctions
{
    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7).</summary>
    public static double LogGamma(double x)
    {
        double[] c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        if (x < 0.5) return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        double a = c[0], t = x + 7.5;
        for (int i = 1; i < 9; i++) a += c[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }

    /// <summary>I_x(a, b), the regularized incomplete beta function (continued fraction, modified Lentz).</summary>
    public static double RegularizedIncompleteBeta(double a, double b, double x)
    {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double lnFront = LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x);
        if (x > (a + 1) / (a + b + 2)) return 1 - RegularizedIncompleteBeta(b, a, 1 - x);
        const double tiny = 1e-300;
        double f = 1, c = 1, d = 0;
        for (int i = 0; i <= 400; i++)
        {
            int m = i / 2;
            double num;
            if (i == 0) num = 1;
            else if (i % 2 == 0) num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            else num = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1 + num * d;
            if (Math.Abs(d) < tiny) d = tiny;
            d = 1 / d;
            c = 1 + num / c;
            if (Math.Abs(c) < tiny) c = tiny;
            double cd = c * d;
            f *= cd;
            if (Math.Abs(1 - cd) < 1e-15) break;
        }
        return Math.Exp(lnFront) * (f - 1) / a;
    }

    /// <summary>Φ(z), the standard normal CDF.</summary>
    public static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    /// <summary>erfc(x) with relative error below 1.2e-7 for the tails used here.</summary>
    public static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
            t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
