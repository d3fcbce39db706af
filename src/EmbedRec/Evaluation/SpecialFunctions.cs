namespace EmbedRec.Evaluation;

/// <summary>Log-gamma, the regularized incomplete beta function, erfc and the normal CDF.</summary>
public static class SpecialFunctions
{
    private static readonly double TwoOverSqrtPi = 2 / Math.Sqrt(Math.PI);

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

    /// <summary>
    /// erfc(x) = 1 − erf(x) to about 1e-14 relative error: for |x| &lt; 2 from the series
    /// erf(x) = 2/√π · e^(−x²) · Σ 2ᵏx^(2k+1) / (1·3·…·(2k+1)) (all terms positive), for x ≥ 2 from the continued fraction
    /// erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) (Abramowitz and Stegun 7.1.6 and 7.1.14).
    /// </summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < 0) return 2 - Erfc(-x);
        if (x < 2)
        {
            double term = x, sum = x, x2 = x * x;
            for (int k = 1; k < 200 && term > 1e-17 * sum; k++)
            {
                term *= 2 * x2 / (2 * k + 1);
                sum += term;
            }
            return 1 - TwoOverSqrtPi * Math.Exp(-x2) * sum;
        }
        if (x > 27) return 0;
        // Modified Lentz for x + a₁/(x + a₂/(x + …)) with aₖ = k/2.
        const double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int k = 1; k < 1000; k++)
        {
            double a = k / 2.0;
            d = x + a * d;
            if (Math.Abs(d) < tiny) d = tiny;
            d = 1 / d;
            c = x + a / c;
            if (Math.Abs(c) < tiny) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 4e-16) break;
        }
        return Math.Exp(-x * x) / (Math.Sqrt(Math.PI) * f);
    }
}
