using System.Text.Json;
using EmbedRec.Evaluation;
using Xunit;

namespace EmbedRec.Tests.Evaluation;

/// <summary>
/// Reference values from Fixtures/significance.json, written by Fixtures/make_significance.py with scipy
/// (ttest_rel, wilcoxon with scipy 1.15–1.18's method="auto" rule) and Python's math.erfc.
/// </summary>
public class SignificanceTests
{
    private const double RelTol = 1e-12;

    private static readonly JsonElement Fixture =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "significance.json"))).RootElement;

    private static double[] Values(JsonElement c, string key) => c.GetProperty(key).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static void Close(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= RelTol * Math.Abs(expected), $"{what}: expected {expected:R}, got {actual:R}");

    [Fact]
    public void WilcoxonMatchesScipyOnEveryFixtureCase()
    {
        var methods = new Dictionary<string, TestMethod>
        {
            ["exact"] = TestMethod.Exact, ["exact_permutation"] = TestMethod.ExactPermutation,
            ["normal"] = TestMethod.NormalApproximation, ["all_zero"] = TestMethod.AllDifferencesZero,
        };
        var cases = Fixture.GetProperty("wilcoxon").EnumerateArray().ToList();
        Assert.True(cases.Count >= 90);
        foreach (var c in cases)
        {
            string name = c.GetProperty("name").GetString()!;
            var r = Significance.Wilcoxon(Values(c, "a"), Values(c, "b"));
            Assert.True(methods[c.GetProperty("method").GetString()!] == r.Method, $"{name}: method {r.Method}");
            if (r.Method == TestMethod.AllDifferencesZero)
            {
                Assert.True(double.IsNaN(r.PValue) && double.IsNaN(r.Statistic), name);
                continue;
            }
            Assert.True(c.GetProperty("statistic").GetDouble() == r.Statistic, $"{name}: statistic {r.Statistic}");
            Close(c.GetProperty("p").GetDouble(), r.PValue, name);
        }
    }

    [Fact]
    public void FewTiedPairsGetTheExactPValueNotTheNormalOne()
    {
        // Issue 15 §7: five positive differences, two tied; the normal approximation said 0.0422,
        // below 2/2⁵ = 0.0625, the smallest p-value five pairs can give.
        var r = Significance.Wilcoxon([0.515625, 0.265625, 0.78125, 0.171875, 0.4375], [0.5, 0.25, 0.75, 0.125, 0.375]);
        Assert.Equal(TestMethod.ExactPermutation, r.Method);
        Assert.Equal(0.0625, r.PValue);
        Assert.Equal(0, r.Statistic);
        Assert.Equal(5, r.N);
    }

    [Fact]
    public void ZerosAreDroppedAndCounted()
    {
        var r = Significance.Wilcoxon([1, 2, 3, 4], [1, 1, 1, 1]);
        Assert.Equal(TestMethod.ExactPermutation, r.Method);
        Assert.Equal(3, r.N);
        Assert.Equal(1.5, r.MeanDifference);
        Assert.Equal(0.25, r.PValue); // W⁺ = 6 is the largest of 2³ equally likely sums: 2 · 1/8.
    }

    [Fact]
    public void AllZeroDifferencesGiveNoPValue()
    {
        var w = Significance.Wilcoxon([0.3, 0.4], [0.3, 0.4]);
        Assert.Equal(TestMethod.AllDifferencesZero, w.Method);
        Assert.True(double.IsNaN(w.PValue));
        var t = Significance.PairedTTest([0.3, 0.4], [0.3, 0.4]);
        Assert.Equal(TestMethod.AllDifferencesZero, t.Method);
        Assert.True(double.IsNaN(t.PValue));
    }

    [Fact]
    public void ConstantDifferencesGiveNoTTestPValue()
    {
        var t = Significance.PairedTTest([0.5, 0.75, 1.0], [0.25, 0.5, 0.75]);
        Assert.Equal(TestMethod.ZeroVariance, t.Method);
        Assert.Equal(double.PositiveInfinity, t.Statistic);
        Assert.True(double.IsNaN(t.PValue));
        Assert.Equal(0.25, t.MeanDifference);
    }

    [Fact]
    public void PairedTTestMatchesScipyOnEveryFixtureCase()
    {
        var cases = Fixture.GetProperty("ttest_rel").EnumerateArray().ToList();
        Assert.True(cases.Count >= 80);
        foreach (var c in cases)
        {
            string name = c.GetProperty("name").GetString()!;
            var r = Significance.PairedTTest(Values(c, "a"), Values(c, "b"));
            Assert.Equal(TestMethod.StudentT, r.Method);
            Close(c.GetProperty("statistic").GetDouble(), r.Statistic, name + " t");
            Close(c.GetProperty("p").GetDouble(), r.PValue, name + " p");
        }
    }

    [Fact]
    public void ErfcMatchesPython()
    {
        foreach (var c in Fixture.GetProperty("erfc").EnumerateArray())
        {
            double x = c.GetProperty("x").GetDouble();
            Close(c.GetProperty("erfc").GetDouble(), SpecialFunctions.Erfc(x), $"erfc({x})");
        }
    }

    [Fact]
    public void SpecialFunctionsAreAccurate()
    {
        Assert.Equal(Math.Log(24), SpecialFunctions.LogGamma(5), 10);
        Assert.Equal(0.5, SpecialFunctions.RegularizedIncompleteBeta(2, 2, 0.5), 10);
        Assert.Equal(0.0523, SpecialFunctions.RegularizedIncompleteBeta(2, 3, 0.1), 10);
        Assert.Equal(0.9750021048517795, SpecialFunctions.NormalCdf(1.96), 14);
    }

    [Fact]
    public void BadInputIsRejected()
    {
        Assert.Throws<ArgumentException>(() => Significance.PairedTTest([1, 2], [1]));
        Assert.Throws<ArgumentException>(() => Significance.PairedTTest([1], [1]));
        Assert.Throws<ArgumentException>(() => Significance.Wilcoxon([1, 2], [1]));
        Assert.Throws<ArgumentException>(() => Significance.Wilcoxon([], []));
    }
}
