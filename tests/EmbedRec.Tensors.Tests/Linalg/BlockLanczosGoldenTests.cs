using System.Text.Json;
using EmbedRec.Tensors.Linalg;
using EmbedRec.Tensors.Sparse;
using Xunit;
using Xunit.Abstractions;

namespace EmbedRec.Tensors.Tests.Linalg;

/// <summary>Against scipy's eigsh on Fixtures/eigsh_golden.json (made by Fixtures/make_eigsh_golden.py).</summary>
public class BlockLanczosGoldenTests(ITestOutputHelper output)
{
    private sealed record Case(int N, int K, CsrMatrix<double> Laplacian, double[] Values, double[] Vectors, double NextValue);

    private static readonly Lazy<Case> s_case = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "eigsh_golden.json")));
        var root = doc.RootElement;
        int n = root.GetProperty("n").GetInt32();
        var l = root.GetProperty("laplacian");
        int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
        double[] Doubles(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var lap = CsrMatrix<double>.FromCoo(n, n, Ints(l.GetProperty("row")), Ints(l.GetProperty("col")), Doubles(l.GetProperty("val")));
        return new Case(n, root.GetProperty("k").GetInt32(), lap, Doubles(root.GetProperty("values")),
            Doubles(root.GetProperty("vectors")), root.GetProperty("next_value").GetDouble());
    });

    private static readonly EigenOptions Tight = new() { Tolerance = 1e-10 };

    [Fact]
    public void SmallestOfTheLaplacianMatchEigsh()
    {
        var c = s_case.Value;
        var r = BlockLanczos.Solve(new CsrOperator(c.Laplacian), c.K, Tight);
        Assert.True(r.Converged);
        Assert.True(r.Iterations > 0, "the golden case should exercise the iterative path, not the dense one");
        Assert.All(r.Residuals, res => Assert.True(res <= 1e-10, $"residual {res}"));
        for (int t = 0; t < c.K; t++)
        {
            Assert.True(Math.Abs(r.Values[t] - c.Values[t]) < 1e-12, $"λ{t}: {r.Values[t]:R} vs eigsh {c.Values[t]:R}");
            if (t > 0) Assert.True(r.Values[t] > r.Values[t - 1]);
        }
        double maxValueError = r.Values.Zip(c.Values, (p, q) => Math.Abs(p - q)).Max();
        double sine = SubspaceSine(r.Vectors, c.Vectors, c.N, c.K);
        output.WriteLine($"vs eigsh: max |Δλ| {maxValueError:G3}, subspace sine {sine:G3}, max |Δx| {MaxAbsDiff(r.Vectors, c.Vectors):G3}, " +
            $"max residual {r.Residuals.Max():G3}, {r.Iterations} restarts, {r.MatVecs} matvecs");
        Assert.True(sine < 1e-8);
        // Eigenvalues here are simple, so each vector matches eigsh's under the same sign rule.
        Assert.True(MaxAbsDiff(r.Vectors, c.Vectors) < 1e-7, $"max vector difference {MaxAbsDiff(r.Vectors, c.Vectors):G3}");
    }

    [Fact]
    public void LargestOfTheNormalizedAdjacencyAreTheSamePairsInTheSameOrder()
    {
        var c = s_case.Value;
        var a = CsrMatrix<double>.FromCoo(c.N, c.N,
            [.. c.Laplacian.RowPtr.SkipLast(1).SelectMany((_, r) => Enumerable.Repeat(r, c.Laplacian.RowPtr[r + 1] - c.Laplacian.RowPtr[r])), .. Enumerable.Range(0, c.N)],
            [.. c.Laplacian.ColIdx, .. Enumerable.Range(0, c.N)],
            [.. c.Laplacian.Values.Select(v => -v), .. Enumerable.Repeat(1.0, c.N)]);
        var r = BlockLanczos.Solve(new CsrOperator(a), c.K, Tight with { Which = EigenEnd.Largest });
        Assert.True(r.Converged);
        for (int t = 0; t < c.K; t++) Assert.True(Math.Abs(r.Values[t] - (1 - c.Values[t])) < 1e-12, $"μ{t}");
        Assert.True(MaxAbsDiff(r.Vectors, c.Vectors) < 1e-7);
    }

    [Fact]
    public void SameSeedGivesIdenticalBitsAndOtherSeedsTheSameSigns()
    {
        var c = s_case.Value;
        var op = new CsrOperator(c.Laplacian);
        var a = BlockLanczos.Solve(op, 8, Tight);
        var b = BlockLanczos.Solve(op, 8, Tight);
        var other = BlockLanczos.Solve(op, 8, Tight with { Seed = 99, BlockSize = 3 });
        Assert.Equal(a.Vectors, b.Vectors);
        Assert.Equal(a.Values, b.Values);
        Assert.True(MaxAbsDiff(a.Vectors, other.Vectors) < 1e-7);
    }

    [Fact]
    public void ReportsProgressAndStopsWhenCancelled()
    {
        var c = s_case.Value;
        var op = new CsrOperator(c.Laplacian);
        using var cts = new CancellationTokenSource();
        var seen = new List<EigenProgress>();
        var progress = new SyncProgress(p => { seen.Add(p); if (p.Iteration == 2) cts.Cancel(); });
        Assert.Throws<OperationCanceledException>(() => BlockLanczos.Solve(op, c.K, Tight, progress, cts.Token));
        Assert.Equal([1, 2], seen.Select(p => p.Iteration));
        Assert.True(seen[1].MatVecs > seen[0].MatVecs);
        Assert.Throws<OperationCanceledException>(() => BlockLanczos.Solve(op, c.K, Tight, cancel: cts.Token));
    }

    [Fact]
    public void TheIterationCapIsHonouredAndReported()
    {
        var c = s_case.Value;
        var r = BlockLanczos.Solve(new CsrOperator(c.Laplacian), c.K, new EigenOptions { Tolerance = 1e-300, MaxIterations = 2 });
        Assert.False(r.Converged);
        Assert.Equal(2, r.Iterations);
        Assert.All(r.Residuals, res => Assert.True(res > 0 && double.IsFinite(res)));
    }

    [Fact]
    public void SmallProblemsAreSolvedDenselyWithTheSameContract()
    {
        // Path graph D − W on 24 nodes: eigenvalues 2 − 2cos(πk/24).
        int n = 24;
        var edges = Enumerable.Range(0, n - 1).Select(i => (i, i + 1)).ToArray();
        var w = CsrMatrix<double>.FromEdges(n, edges, symmetric: true);
        var deg = w.RowSums();
        var l = CsrMatrix<double>.FromCoo(n, n,
            [.. edges.Select(e => e.Item1), .. edges.Select(e => e.Item2), .. Enumerable.Range(0, n)],
            [.. edges.Select(e => e.Item2), .. edges.Select(e => e.Item1), .. Enumerable.Range(0, n)],
            [.. Enumerable.Repeat(-1.0, 2 * (n - 1)), .. deg]);
        var r = BlockLanczos.Solve(new CsrOperator(l), 5);
        Assert.Equal(0, r.Iterations);
        Assert.True(r.Converged);
        for (int k = 0; k < 5; k++) Assert.Equal(2 - 2 * Math.Cos(Math.PI * k / n), r.Values[k], 1e-12);
        var first = r.Column(0);
        Assert.All(first, x => Assert.Equal(1 / Math.Sqrt(n), x, 1e-12)); // the trivial vector, kept and positive
        var iterative = BlockLanczos.Solve(new CsrOperator(l), 5, new EigenOptions { BlockSize = 2, MaxBasisSize = 14, Tolerance = 1e-10 });
        Assert.True(iterative.Iterations > 0);
        Assert.True(iterative.Converged);
        // The path's mirror symmetry makes |x₀| = |x₂₃| in every vector: the sign rule must not leave that to rounding.
        Assert.True(MaxAbsDiff(r.Vectors, iterative.Vectors) < 1e-7);
        for (int k = 0; k < 5; k++) Assert.True(r.Column(k)[0] > 0, $"vector {k} starts negative");
    }

    [Fact]
    public void RejectsCountsAndOptionsOutOfRange()
    {
        var op = new CsrOperator(s_case.Value.Laplacian);
        Assert.Throws<ArgumentOutOfRangeException>(() => BlockLanczos.Solve(op, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => BlockLanczos.Solve(op, 401));
        Assert.Throws<ArgumentOutOfRangeException>(() => BlockLanczos.Solve(op, 4, new EigenOptions { Tolerance = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => BlockLanczos.Solve(op, 4, new EigenOptions { BlockSize = 4, MaxBasisSize = 7 }));
        Assert.Throws<ArgumentException>(() => new CsrOperator(CsrMatrix<double>.FromCoo(2, 3, [0], [2], [1.0])));
    }

    /// <summary>An upper bound on the sine of the largest principal angle: ‖X − Y·YᵀX‖_F for orthonormal X, Y [n, k].</summary>
    private static double SubspaceSine(double[] x, double[] y, int n, int k)
    {
        var yx = new double[k * k];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < k; a++)
                for (int b = 0; b < k; b++) yx[a * k + b] += y[i * k + a] * x[i * k + b];
        double sum = 0;
        for (int i = 0; i < n; i++)
            for (int b = 0; b < k; b++)
            {
                double proj = 0;
                for (int a = 0; a < k; a++) proj += y[i * k + a] * yx[a * k + b];
                sum += (x[i * k + b] - proj) * (x[i * k + b] - proj);
            }
        return Math.Sqrt(sum);
    }

    private static double MaxAbsDiff(double[] a, double[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (p, q) => Math.Abs(p - q)).Max();
    }

    private sealed class SyncProgress(Action<EigenProgress> report) : IProgress<EigenProgress>
    {
        public void Report(EigenProgress value) => report(value);
    }
}
