using EmbedRec.Evaluation;
using Xunit;

namespace EmbedRec.Tests.Evaluation;

/// <summary>Reference values from scipy 1.10.1 (Debian python3-scipy): scipy.stats.ttest_rel and wilcoxon.</summary>
public class SignificanceTests
{
    private static readonly double[] A = [0.21, 0.25, 0.19, 0.30, 0.27, 0.22, 0.24, 0.26];
    private static readonly double[] B = [0.20, 0.22, 0.20, 0.26, 0.25, 0.18, 0.235, 0.215];

    [Fact]
    public void PairedTTestMatchesScipy()
    {
        var r = Significance.PairedTTest(A, B);
        Assert.Equal(3.2403703, r.Statistic, 5);
        Assert.Equal(0.0142458, r.PValue, 5);
        Assert.Equal(8, r.N);
    }

    [Fact]
    public void WilcoxonExactMatchesScipy()
    {
        var r = Significance.Wilcoxon(A, B);
        Assert.Equal(3.0, r.Statistic, 6);
        Assert.Equal(0.0390625, r.PValue, 6);
    }

    [Fact]
    public void WilcoxonNormalApproximationWithTiesMatchesScipy()
    {
        var a = Enumerable.Range(0, 60).Select(i => (double)(i % 7)).ToArray();
        var b = Enumerable.Range(0, 60).Select(i => (double)((i * 3) % 5)).ToArray();
        var r = Significance.Wilcoxon(a, b);
        Assert.Equal(388.5, r.Statistic, 6);
        Assert.Equal(0.0095215, r.PValue, 4);
    }

    [Fact]
    public void SpecialFunctionsAreAccurate()
    {
        Assert.Equal(Math.Log(24), SpecialFunctions.LogGamma(5), 10);
        Assert.Equal(0.5, SpecialFunctions.RegularizedIncompleteBeta(2, 2, 0.5), 10);
        Assert.Equal(0.0523, SpecialFunctions.RegularizedIncompleteBeta(2, 3, 0.1), 10);
        Assert.Equal(0.975002, SpecialFunctions.NormalCdf(1.96), 5);
    }

    [Fact]
    public void UnequalLengthsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => Significance.PairedTTest([1, 2], [1]));
        Assert.Throws<ArgumentException>(() => Significance.PairedTTest([1], [1]));
    }
}
