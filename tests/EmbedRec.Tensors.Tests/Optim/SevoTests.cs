using EmbedRec.Tensors.Optim;
using EmbedRec.Tensors.Sparse;
using Xunit;

namespace EmbedRec.Tensors.Tests.Optim;

public class SevoTests
{
    private static CsrMatrix<float> RandomGraph(int n, int edges, Rng rng, bool connected = true)
    {
        var list = new List<(int, int)>();
        if (connected) for (int i = 1; i < n; i++) list.Add((i - 1, i));
        for (int e = 0; e < edges; e++)
        {
            int a = rng.NextInt(n), b = rng.NextInt(n);
            if (a != b) list.Add((a, b));
        }
        return CsrMatrix<float>.FromEdges(n, list.ToArray(), symmetric: true).SymmetricNormalize();
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    private static double J(CsrMatrix<float> g, float[] x, int d)
    {
        var ax = new float[x.Length];
        g.Multiply(x, ax, d, 0f);
        return Dot(x, x) - Dot(x, ax);
    }

    [Fact]
    public void TransformIsDirectionAwareAndDoesNotIncreaseSmoothness()
    {
        var rng = new Rng(1);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = 10 + rng.NextInt(40), d = 4;
            var g = RandomGraph(n, 3 * n, rng, connected: trial % 2 == 0);
            foreach (float beta in new[] { 0.5f, 0.9f, 0.99f })
            {
                var t = new SevoTransform(g, new SevoOptions { Beta = beta, Layers = 3 });
                var delta = new float[n * d];
                rng.FillNormal(delta);
                var y = new float[delta.Length];
                t.Apply(delta, y, d);
                Assert.True(Dot(y, delta) > 0, "⟨ψ̂(Δ), Δ⟩ must be positive");
                // Smoothness relative to energy: ψ̂ only shrinks high-frequency components more than low ones.
                Assert.True(J(g, y, d) / Dot(y, y) <= J(g, delta, d) / Dot(delta, delta) + 1e-6);
            }
        }
    }

    [Fact]
    public void LargestEigenvalueOfTheUnrescaledOperator()
    {
        var rng = new Rng(2);
        var g = RandomGraph(30, 60, rng);
        foreach (var (beta, layers) in new[] { (0.99f, 3), (0.5f, 2), (0.9f, 1) })
        {
            var t = new SevoTransform(g, new SevoOptions { Beta = beta, Layers = layers, Variant = SevoVariant.Neumann });
            // Power iteration on the PSD-shifted operator; the top eigenvector of Ã is D^½·1, eigenvalue 1.
            var x = new float[30];
            rng.FillUniform(x, 0.5f, 1.5f);
            var y = new float[30];
            double lambda = 0;
            for (int it = 0; it < 500; it++)
            {
                t.Apply(x, y, 1);
                lambda = Dot(y, x) / Dot(x, x);
                double norm = Math.Sqrt(Dot(y, y));
                for (int i = 0; i < 30; i++) x[i] = (float)(y[i] / norm);
            }
            Assert.Equal(1 - Math.Pow(beta, layers + 1), lambda, 3);
        }
    }

    [Fact]
    public void IterativeFormLosesDirectionAwarenessOnABipartiteGraph()
    {
        // Two nodes joined by one edge: Ã has eigenvalue −1 with eigenvector (1, −1).
        var g = CsrMatrix<float>.FromEdges(2, [(0, 1)], symmetric: true).SymmetricNormalize();
        float[] delta = [1f, -1f];
        var y = new float[2];
        new SevoTransform(g, new SevoOptions { Beta = 0.9f, Layers = 3, Variant = SevoVariant.Iterative }).Apply(delta, y, 1);
        Assert.True(Dot(y, delta) < 0, $"iterative ⟨ψ(Δ), Δ⟩ = {Dot(y, delta)}");
        new SevoTransform(g, new SevoOptions { Beta = 0.9f, Layers = 3 }).Apply(delta, y, 1);
        Assert.True(Dot(y, delta) > 0);
        new SevoTransform(g, new SevoOptions { Beta = 0.4f, Layers = 3, Variant = SevoVariant.Iterative }).Apply(delta, y, 1);
        Assert.True(Dot(y, delta) > 0, "below β = 1/2 the iterative form stays direction-aware");
    }

    [Fact]
    public void IsolatedNodesAreOnlyRescaled()
    {
        var g = CsrMatrix<float>.FromEdges(3, [(0, 1)], symmetric: true).SymmetricNormalize();
        var t = new SevoTransform(g, new SevoOptions());
        var y = new float[3];
        t.Apply([0f, 0f, 2f], y, 1);
        Assert.Equal(2f * 0.01f / (1f - MathF.Pow(0.99f, 4)), y[2], 5);
        Assert.Equal(0.2538, t.Scale, 3);
    }

    private static (Tensor, Tensor) Params(int seed)
    {
        var rng = new Rng((ulong)seed);
        var a = Tensor.RandomNormal(rng, [6, 3]); a.RequiresGrad = true;
        var b = Tensor.RandomNormal(rng, [4, 3]); b.RequiresGrad = true;
        return (a, b);
    }

    private static void Grad(Tensor p, Rng rng, params int[] activeRows)
    {
        p.Grad ??= Tensor.Zeros(p.ShapeArray);
        p.Grad.Span.Clear();
        foreach (int r in activeRows) rng.FillNormal(p.Grad.Span.Slice(r * p.Dim(1), p.Dim(1)));
    }

    [Fact]
    public void BetaZeroWithoutCorrectionEqualsAdamW()
    {
        var (a1, b1) = Params(3);
        var (a2, b2) = Params(3);
        var graph = RandomGraph(10, 15, new Rng(4));
        var options = new AdamOptions { LearningRate = 0.01f, WeightDecay = 0.1f, Beta2 = 0.98f };
        var sevo = new SevoOptimizer(new AdamW([a1, b1], options), [new SevoGroup([a1, b1], graph)], new SevoOptions { Beta = 0f, MomentCorrection = false });
        var adamw = new AdamW([a2, b2], options);
        var r1 = new Rng(5); var r2 = new Rng(5);
        for (int step = 0; step < 6; step++)
        {
            int row = step % 3;
            Grad(a1, r1, row, 4); Grad(b1, r1, row);
            Grad(a2, r2, row, 4); Grad(b2, r2, row);
            sevo.Step();
            adamw.Step();
            Assert.Equal(a2.ToArray(), a1.ToArray());
            Assert.Equal(b2.ToArray(), b1.ToArray());
        }
    }

    [Theory]
    [InlineData("adamw")]
    [InlineData("adam")]
    [InlineData("sgd")]
    public void RowSparseGradientsGiveTheSameStepsAsDenseOnes(string kind)
    {
        // Large enough for the threaded path; the sparse walk must treat unlisted rows and listed all-zero rows
        // exactly like the dense path's all-zero rows.
        const int rows = 2300, width = 64;
        var rng = new Rng(21);
        var init = new float[rows * width];
        rng.FillNormal(init);
        Tensor Table() { var t = Tensor.FromArray((float[])init.Clone(), rows, width); t.RequiresGrad = true; return t; }
        var dense = Table();
        var sparse = Table();
        sparse.SparseGradients = true;
        var graph = RandomGraph(rows, 4 * rows, new Rng(22));
        var adam = new AdamOptions { LearningRate = 0.01f, WeightDecay = 0.05f };
        var sgd = new SgdOptions { LearningRate = 0.1f, Momentum = 0.9f, WeightDecay = 0.01f };
        Optimizer Inner(Tensor t) => kind switch { "adamw" => new AdamW([t], adam), "adam" => new Adam([t], adam), _ => new Sgd([t], sgd) };
        var o1 = new SevoOptimizer(Inner(dense), [new SevoGroup([dense], graph)], new SevoOptions { Beta = 0.9f });
        var o2 = new SevoOptimizer(Inner(sparse), [new SevoGroup([sparse], graph)], new SevoOptions { Beta = 0.9f });
        for (int step = 0; step < 4; step++)
        {
            var picked = new[] { 3 + step, 700, rows - 1 - step, 700 };
            var upstream = new float[picked.Length * width];
            rng.FillNormal(upstream);
            var g = new float[init.Length];
            for (int k = 0; k < picked.Length; k++)
                for (int j = 0; j < width; j++) g[picked[k] * width + j] += upstream[k * width + j];
            dense.Grad = Tensor.FromArray(g, rows, width); // g is fresh each step
            sparse.SparseGrad ??= new RowSparseGradient(rows, width);
            for (int k = 0; k < picked.Length; k++) sparse.SparseGrad.Add(picked[k], upstream.AsSpan(k * width, width));
            sparse.SparseGrad.Add(1500, new float[width]); // a listed row with a zero gradient is inactive
            o1.Step(); o2.Step();
            o1.ZeroGrad(); o2.ZeroGrad();
            Assert.Equal(dense.ToArray(), sparse.ToArray());
        }
    }

    [Fact]
    public void CorrectedInactiveRowsKeepTheirDirection()
    {
        // Theorem 3: while a row gets no gradient, its (unsmoothed) update stays constant.
        var (a, b) = Params(6);
        var graph = CsrMatrix<float>.FromEdges(10, [], symmetric: true).SymmetricNormalize(); // no edges: ψ̂ only rescales
        var opt = new SevoOptimizer(new AdamW([a, b], new AdamOptions { LearningRate = 0.01f, WeightDecay = 0f }), [new SevoGroup([a, b], graph)], new SevoOptions { Beta = 0f });
        var rng = new Rng(7);
        for (int step = 0; step < 5; step++) { Grad(a, rng, 0, 1, 2, 3, 4, 5); Grad(b, rng, 0); opt.Step(); }
        var moves = new List<float[]>();
        for (int step = 0; step < 5; step++)
        {
            var before = a.ToArray();
            Grad(a, rng, 0); Grad(b, rng, 0); // rows 1..5 of a are inactive
            opt.Step();
            moves.Add(a.ToArray().Zip(before, (x, y) => x - y).Skip(3).ToArray());
        }
        for (int s = 1; s < moves.Count; s++) GradCheck.Close(moves[0], moves[s], 1e-7f, 1e-3f, $"step {s}");
        // Without the correction the inactive rows' steps shrink.
        var (c, d) = Params(6);
        var plain = new SevoOptimizer(new AdamW([c, d], new AdamOptions { LearningRate = 0.01f, WeightDecay = 0f }), [new SevoGroup([c, d], graph)], new SevoOptions { Beta = 0f, MomentCorrection = false });
        rng = new Rng(7);
        for (int step = 0; step < 5; step++) { Grad(c, rng, 0, 1, 2, 3, 4, 5); Grad(d, rng, 0); plain.Step(); }
        var c0 = c.ToArray(); Grad(c, rng, 0); Grad(d, rng, 0); plain.Step();
        var c1 = c.ToArray(); Grad(c, rng, 0); Grad(d, rng, 0); plain.Step();
        var c2 = c.ToArray();
        Assert.True(MathF.Abs(c2[3] - c1[3]) < MathF.Abs(c1[3] - c0[3]));
    }

    [Fact]
    public void ParametersOutsideGroupsGetThePlainOptimizerAndStateRoundTrips()
    {
        var (a1, b1) = Params(8);
        var (a2, b2) = Params(8);
        var graph = RandomGraph(4, 4, new Rng(9));
        var o = new AdamOptions { LearningRate = 0.01f };
        var sevo = new SevoOptimizer(new AdamW(new Dictionary<string, Tensor> { ["a"] = a1, ["b"] = b1 }, o), [new SevoGroup([b1], graph)], new SevoOptions());
        var adamw = new AdamW([a2], o);
        var rng1 = new Rng(1); var rng2 = new Rng(1);
        for (int s = 0; s < 3; s++)
        {
            Grad(a1, rng1, 0, 2); Grad(b1, new Rng(2), 1);
            Grad(a2, rng2, 0, 2);
            sevo.Step(); adamw.Step();
        }
        Assert.Equal(a2.ToArray(), a1.ToArray());
        var state = sevo.ExportState();
        // State is keyed by parameter name, whether the parameter is smoothed (b) or not (a).
        Assert.Contains(state, kv => kv.Key == "m/a");
        Assert.Contains(state, kv => kv.Key == "m/b");
        Assert.Contains(state, kv => kv.Key == "v/b");
        var (a3, b3) = Params(8);
        var again = new SevoOptimizer(new AdamW(new Dictionary<string, Tensor> { ["a"] = a3, ["b"] = b3 }, o), [new SevoGroup([b3], graph)], new SevoOptions());
        again.ImportState(state.ToDictionary(kv => kv.Key, kv => kv.Value), sevo.StepCount);
        Assert.Equal(3, again.StepCount);
        Assert.Equal(((Adam)sevo.Inner).FirstMoment(1), ((Adam)again.Inner).FirstMoment(1));
        Assert.Contains("does not name a parameter", Assert.Throws<InvalidDataException>(() => again.ImportState(new Dictionary<string, float[]> { ["m/c"] = new float[8] }, 1)).Message);
    }

    [Fact]
    public void BadConfigurationsFailAtConstruction()
    {
        var (a, b) = Params(1);
        var g = RandomGraph(7, 5, new Rng(1));
        var e = Assert.Throws<ArgumentException>(() => new SevoOptimizer(new AdamW([a, b]), [new SevoGroup([a, b], g)], new SevoOptions()));
        Assert.Contains("7 nodes but the group's parameters have 10 rows", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SevoOptions { Beta = 1f }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SevoTransform(g, new SevoOptions { Beta = -0.1f }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SevoTransform(g, new SevoOptions { Layers = -1 }));
    }

    [Theory]
    [InlineData(SevoVariant.RescaledNeumann, 64)]
    [InlineData(SevoVariant.Neumann, 80)]
    [InlineData(SevoVariant.Iterative, 24)] // a width off the 16-lane paths
    public void ARowSparseUpdateIsSmoothedToTheSameBitsAsTheFullProducts(SevoVariant variant, int d)
    {
        // An SGD step touches few rows: the transform's first layer skips the zero rows of Δ. Its result must equal the
        // layers written out with full products, bit for bit, including a row of negative zeros.
        var rng = new Rng(21);
        int n = 400;
        var graph = RandomGraph(n, 3000, rng);
        var delta = new float[n * d];
        for (int r = 0; r < n; r += 13) for (int c = 0; c < d; c++) delta[r * d + c] = rng.NextSingle() - 0.5f;
        delta[5 * d + 3] = 1e-3f; // a row with one non-zero
        for (int c = 0; c < d; c++) delta[7 * d + c] = -0f;
        var o = new SevoOptions { Beta = 0.99f, Layers = 3, Variant = variant };
        var transform = new SevoTransform(graph, o);
        Assert.NotNull(transform.SparseRows(delta, d)); // few enough rows for the skipping path
        var got = new float[n * d];
        transform.Apply(delta, got, d);

        bool iterative = variant == SevoVariant.Iterative;
        float k = iterative ? 1f : variant == SevoVariant.RescaledNeumann ? transform.Scale : 1f - o.Beta;
        float gamma = iterative ? 1f - o.Beta : 1f;
        float[] x = delta, want = new float[n * d];
        for (int l = 0; l < o.Layers; l++)
        {
            bool last = l == o.Layers - 1;
            var y = last ? want : new float[n * d];
            graph.MultiplyAdd(x, y, d, last ? k * o.Beta : o.Beta, delta, last ? k * gamma : gamma);
            x = y;
        }
        Assert.Equal(want, got);
        // A dense Δ (every row moved, as Adam's) takes the full products from the first layer.
        Assert.Null(transform.SparseRows(Enumerable.Repeat(1f, n * d).ToArray(), d));
    }
}
