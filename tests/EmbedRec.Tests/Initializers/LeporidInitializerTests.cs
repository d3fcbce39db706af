using EmbedRec.Config;
using EmbedRec.Data.Splits;
using EmbedRec.Graphs;
using EmbedRec.Initializers;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Linalg;
using EmbedRec.Tensors.Sparse;
using Xunit;

namespace EmbedRec.Tests.Initializers;

/// <summary>Leporid and LE: the spectrum's properties, equality with the explicit pipeline, the row maps, bad input.</summary>
public sealed class LeporidInitializerTests
{
    private static readonly DataSplit Data = InitTestData.Split();

    private static EigenResult Pipeline(CsrMatrix<double> w, int count, double alpha) =>
        BlockLanczos.Solve(new CsrOperator(Laplacian.Build(w, new LaplacianOptions { Alpha = alpha })), count);

    [Theory]
    [InlineData(0.5, true)]
    [InlineData(0.0, false)]
    public void TheVectorsAreTheExplicitPipelinesWithLeporidsProperties(double alpha, bool users)
    {
        var w = users ? JaccardKnn.Users(Data.Train, new JaccardKnnOptions { K = 20 }) : JaccardKnn.Items(Data.Train, new JaccardKnnOptions { K = 20 });
        var (r, isolated) = SpectralEmbedding.Smallest(w, 12, alpha);
        Assert.Empty(isolated);
        var reference = Pipeline(w, 12, alpha);
        Assert.Equal(reference.Values, r.Values);
        Assert.Equal(reference.Vectors, r.Vectors);
        Assert.True(r.Converged);
        // Orthonormal columns, ascending eigenvalues, a single-signed first column (the Perron vector).
        int n = r.Size, k = r.Count;
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += r.Vectors[i * k + a] * r.Vectors[i * k + b];
                Assert.True(Math.Abs(dot - (a == b ? 1 : 0)) < 1e-9, $"column {a}·{b} = {dot}");
            }
        for (int j = 1; j < k; j++) Assert.True(r.Values[j] >= r.Values[j - 1]);
        var first = r.Column(0);
        Assert.True(first.All(x => x > 0) || first.All(x => x < 0));
        if (alpha == 0) Assert.True(Math.Abs(r.Values[0]) < 1e-9, $"LE's smallest eigenvalue is 0, got {r.Values[0]}");
    }

    [Fact]
    public void LeporidFillsMfAndTheLightGcnJointTableThroughTheRowMap()
    {
        var o = new LeporidInitOptions { K = 20, Cache = false };
        var uw = JaccardKnn.Users(Data.Train, new JaccardKnnOptions { K = 20 });
        var iw = JaccardKnn.Items(Data.Train, new JaccardKnnOptions { K = 20 });
        var ur = Pipeline(uw, 8, 0.5);
        var ir = Pipeline(iw, 8, 0.5);

        // normalize: none → the eigenvectors themselves (as float), users from the user graph, items from the item graph.
        var mf = InitTestData.Model("mf", Data);
        new LeporidInitializer(o with { ZScore = false }).Initialize(mf.Tables, new InitContext(Data, new Rng(0)));
        var users = InitTestData.Rows(mf.Tables[0], users: true);
        var items = InitTestData.Rows(mf.Tables[1], users: false);
        for (int i = 0; i < Data.UserCount; i++) for (int j = 0; j < 8; j++) Assert.Equal((float)ur.Vectors[i * 8 + j], (float)users[i][j]);
        for (int i = 0; i < Data.ItemCount; i++) for (int j = 0; j < 8; j++) Assert.Equal((float)ir.Vectors[i * 8 + j], (float)items[i][j]);

        // zscore (the default): every column has mean 0 and population std 1; a joint table gets the same rows as MF's two tables.
        var mfz = InitTestData.Model("mf", Data);
        new LeporidInitializer(o).Initialize(mfz.Tables, new InitContext(Data, new Rng(0)));
        foreach (var (t, side) in new[] { (mfz.Tables[0], true), (mfz.Tables[1], false) })
        {
            var rows = InitTestData.Rows(t, side);
            for (int j = 0; j < 8; j++)
            {
                double mean = rows.Average(x => x[j]), sd = Math.Sqrt(rows.Average(x => (x[j] - mean) * (x[j] - mean)));
                Assert.True(Math.Abs(mean) < 1e-5 && Math.Abs(sd - 1) < 1e-5, $"column {j}: mean {mean}, sd {sd}");
            }
        }
        var lightgcn = InitTestData.Model("lightgcn", Data);
        new LeporidInitializer(o).Initialize(lightgcn.Tables, new InitContext(Data, new Rng(0)));
        var joint = Assert.Single(lightgcn.Tables);
        Assert.Equal(mfz.Tables[0].Weight.ToArray(), joint.Weight.Span[..(Data.UserCount * 8)].ToArray());
        Assert.Equal(mfz.Tables[1].Weight.ToArray(), joint.Weight.Span[(Data.UserCount * 8)..].ToArray());

        // NeuMF's GMF tower is filled; the scale multiplies.
        var neumf = InitTestData.Model("neumf", Data);
        new LeporidInitializer(o with { Scale = 0.5f }).Initialize(neumf.Tables, new InitContext(Data, new Rng(0)));
        Assert.Equal(mfz.Tables[1].Weight.ToArray().Select(x => x * 0.5f), neumf.Tables[1].Weight.ToArray());
    }

    [Fact]
    public void LeIsLeporidWithAlphaZeroAndDrawsNothingFromTheRunsGenerator()
    {
        var le = (LeporidInitializer)EmbedRec.Training.Registry.Default.Initializer("le").Create(LeporidInitOptions.LeBinder.Defaults with { K = 20, Cache = false });
        var lep = new LeporidInitializer(new LeporidInitOptions { Alpha = 0, K = 20, Cache = false });
        var a = InitTestData.Model("mf", Data);
        var b = InitTestData.Model("mf", Data);
        var rng = new Rng(5);
        le.Initialize(a.Tables, new InitContext(Data, rng));
        lep.Initialize(b.Tables, new InitContext(Data, new Rng(5)));
        Assert.Equal(a.Tables[1].Weight.ToArray(), b.Tables[1].Weight.ToArray());
        Assert.Equal(new Rng(5).NextUInt64(), rng.NextUInt64());
        Assert.StartsWith("le(α 0, K 20, zscore", le.Description);
        Assert.True(le.Reports.All(r => r.Outcome == CacheOutcome.NoCache && r.MaxResidual <= 1e-8));
        Assert.Equal(0, le.Reports[0].FirstValue, 1e-6);
    }

    [Fact]
    public void TheUnnormalizedLaplacianIsAnOptionWithItsOwnCacheEntries()
    {
        using var dir = new TempDir();
        var w = JaccardKnn.Items(Data.Train, new JaccardKnnOptions { K = 20 });
        var l = Laplacian.Build(w, new LaplacianOptions { Alpha = 0.5, Kind = LaplacianKind.Unnormalized });
        var reference = BlockLanczos.Solve(new CsrOperator(l), 8, SpectralEmbedding.Scaled(new EigenOptions(), l, LaplacianKind.Unnormalized));
        var spec = EmbedRec.Training.RunSpec.Resolve(new RunConfig().With("model", "mf").With("dataset", "synthetic").With("init", "leporid")
            .With("init.laplacian", "unnormalized").With("init.k", "20").With("init.normalize", "none"));
        var unnormalized = (LeporidInitializer)spec.Init!.Registration.Create(spec.Init.Options);
        Assert.Equal("leporid(α 0.5, K 20, none, unnormalized)", unnormalized.Description);
        var normalized = new LeporidInitializer(new LeporidInitOptions { K = 20, ZScore = false });
        var context = new InitContext(Data, new Rng(0)) { CacheDirectory = dir.Path };
        // The normalized vectors are computed and cached first: the unnormalized run must not take them.
        var a = InitTestData.Model("mf", Data);
        normalized.Initialize(a.Tables, context);
        var b = InitTestData.Model("mf", Data);
        unnormalized.Initialize(b.Tables, context);
        Assert.All(unnormalized.Reports, r => Assert.Equal(CacheOutcome.Computed, r.Outcome));
        // The default form's entries keep the key they had before the option existed (this parameter list), so a cache
        // filled by earlier versions is still found.
        var e = new EigenOptions();
        string before = InitCache.Key(EmbedRec.Data.DataFingerprint.Of(Data.Train), "leporid", ("side", "item"), ("alpha", 0.5), ("k", 20), ("vectors", 8),
            ("tolerance", e.Tolerance), ("max_iterations", e.MaxIterations), ("block", e.BlockSize), ("basis", -1), ("seed", e.Seed));
        Assert.True(Directory.Exists(Path.Combine(dir.Path, before)), "the normalized item entry is not under its earlier key");
        var items = InitTestData.Rows(b.Tables[1], users: false);
        for (int i = 0; i < Data.ItemCount; i++) for (int j = 0; j < 8; j++) Assert.Equal((float)reference.Vectors[i * 8 + j], (float)items[i][j]);
        Assert.NotEqual(a.Tables[1].Weight.ToArray(), b.Tables[1].Weight.ToArray());
        Assert.Equal(reference.Values[0], unnormalized.Reports[1].FirstValue, 5); // stored as float32 in the cache entry
        var c = InitTestData.Model("mf", Data);
        unnormalized.Initialize(c.Tables, context);
        Assert.All(unnormalized.Reports, r => Assert.Equal(CacheOutcome.Hit, r.Outcome));
        Assert.Equal(b.Tables[1].Weight.ToArray(), c.Tables[1].Weight.ToArray());
        Assert.Contains("'init.laplacian' must be one of normalized, unnormalized, got 'sym'", Assert.Throws<FormatException>(() =>
            EmbedRec.Training.RunSpec.Resolve(new RunConfig().With("model", "mf").With("dataset", "synthetic").With("init", "le").With("init.laplacian", "sym"))).Message);

        // An isolated node is an eigenvector of D − W with eigenvalue 0 (α = 0): left out, it does not take a smallest slot.
        (int, int)[] edges = [(0, 1), (1, 2), (2, 3), (4, 5), (5, 6), (4, 6)];
        var (r, isolated) = SpectralEmbedding.Smallest(CsrMatrix<double>.FromEdges(8, edges, symmetric: true), 3, 0, kind: LaplacianKind.Unnormalized);
        Assert.Equal([7], isolated);
        var sub = BlockLanczos.Solve(new CsrOperator(Laplacian.Build(CsrMatrix<double>.FromEdges(7, edges, symmetric: true),
            new LaplacianOptions { Alpha = 0, Kind = LaplacianKind.Unnormalized })), 3);
        Assert.Equal(sub.Values, r.Values);
        Assert.Equal(sub.Vectors, r.Vectors[..21]);
        Assert.All(Enumerable.Range(0, 3), j => Assert.Equal(0.0, r.Vectors[7 * 3 + j]));
        Assert.True(Math.Abs(r.Values[0]) < 1e-9 && Math.Abs(r.Values[1]) < 1e-9 && r.Values[2] > 0.1, string.Join(", ", r.Values));
    }

    [Fact]
    public void TheUnnormalizedLaplaciansToleranceIsRelativeToItsNorm()
    {
        // A 6-cycle with weight 500 on every edge and one chord of weight 100: degrees 1000 (four nodes) and 1100 (two).
        (int, int)[] ring = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0)];
        var w = CsrMatrix<double>.FromEdges(6, [.. ring, (0, 3)], [500, 500, 500, 500, 500, 500, 100], symmetric: true);
        var e = new EigenOptions();
        // α = 0.5: D_reg = 0.5·d + 550, so node 0's row of D_reg − W is 1100 on the diagonal and 500 + 500 + 100 off it.
        var u = Laplacian.Build(w, new LaplacianOptions { Alpha = 0.5, Kind = LaplacianKind.Unnormalized });
        Assert.Equal(1e-8 * 2200 / 2, SpectralEmbedding.Scaled(e, u, LaplacianKind.Unnormalized).Tolerance, 1e-20);
        // The normalized form (‖L‖ ≤ 2) keeps the tolerance as given, and so does an unnormalized one with small degrees.
        var n = Laplacian.Build(w, new LaplacianOptions { Alpha = 0.5 });
        Assert.Equal(e.Tolerance, SpectralEmbedding.Scaled(e, n, LaplacianKind.Normalized).Tolerance);
        var small = Laplacian.Build(CsrMatrix<double>.FromEdges(6, ring, [0.25, 0.25, 0.25, 0.25, 0.25, 0.25], symmetric: true),
            new LaplacianOptions { Kind = LaplacianKind.Unnormalized });
        Assert.Equal(e.Tolerance, SpectralEmbedding.Scaled(e, small, LaplacianKind.Unnormalized).Tolerance);

        // The pairs found are those of the dense solver, to the relative accuracy the scaled tolerance promises.
        var (r, _) = SpectralEmbedding.Smallest(w, 3, 0.5, kind: LaplacianKind.Unnormalized);
        Assert.True(r.Converged && r.Residuals.All(x => x <= 1.1e-5), string.Join(", ", r.Residuals));
        var (values, _) = SymmetricEigen.Decompose(u.ToDense(), 6);
        for (int j = 0; j < 3; j++) Assert.Equal(values[j], r.Values[j], 1e-6);
    }

    [Fact]
    public void IsolatedNodesGetZeroRowsAndAreLeftOutOfTheEigenproblem()
    {
        // A path 0–1–2–3 and a triangle 4–5–6, node 7 isolated.
        (int, int)[] edges = [(0, 1), (1, 2), (2, 3), (4, 5), (5, 6), (4, 6)];
        var w = CsrMatrix<double>.FromEdges(8, edges, symmetric: true);
        var (r, isolated) = SpectralEmbedding.Smallest(w, 3, 0.5);
        Assert.Equal([7], isolated);
        Assert.All(Enumerable.Range(0, 3), j => Assert.Equal(0.0, r.Vectors[7 * 3 + j]));
        var sub = CsrMatrix<double>.FromEdges(7, edges, symmetric: true);
        var reference = Pipeline(sub, 3, 0.5);
        Assert.Equal(reference.Values, r.Values);
        Assert.Equal(reference.Vectors, r.Vectors[..21]);
        // Z-scored, the isolated node sits at the column mean, 0; the statistics are over the connected nodes.
        var z = SpectralRows.ZScore(r.Vectors.Select(x => (float)x).ToArray(), 8, 3, isolated.ToHashSet());
        Assert.All(Enumerable.Range(0, 3), j => Assert.Equal(0f, z[7 * 3 + j]));
        Assert.Contains("at most 7 vectors", Assert.Throws<ArgumentOutOfRangeException>(() => SpectralEmbedding.Smallest(w, 8, 0.5)).Message);
        Assert.Contains("at most 8 vectors", Assert.Throws<ArgumentOutOfRangeException>(() => SpectralEmbedding.Smallest(CsrMatrix<double>.FromEdges(8, [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7)], symmetric: true), 9, 0.5)).Message);
    }

    [Fact]
    public void BadInputIsRefusedWithWhatWasWrong()
    {
        Assert.Contains("K must be at least 1; got 0", Assert.Throws<ArgumentOutOfRangeException>(() => new LeporidInitializer(new LeporidInitOptions { K = 0 })).Message);
        Assert.Contains("α must be in [0, 1]; got 1.5", Assert.Throws<ArgumentOutOfRangeException>(() => new LeporidInitializer(new LeporidInitOptions { Alpha = 1.5f })).Message);
        Assert.Contains("α must be in [0, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => SpectralEmbedding.Smallest(CsrMatrix<double>.FromEdges(2, [(0, 1)], symmetric: true), 1, -0.1)).Message);
        var config = new EmbedRec.Config.RunConfig().With("model", "mf").With("dataset", "synthetic").With("init", "leporid");
        Assert.Contains("'init.k' must be ≥ 1", Assert.Throws<FormatException>(() => EmbedRec.Training.RunSpec.Resolve(config.Clone().With("init.k", "0"))).Message);
        Assert.Contains("'init.alpha' must be in [0, 1]", Assert.Throws<FormatException>(() => EmbedRec.Training.RunSpec.Resolve(config.Clone().With("init.alpha", "2"))).Message);
        Assert.Contains("unknown key", Assert.Throws<FormatException>(() => EmbedRec.Training.RunSpec.Resolve(config.Clone().With("init", "le").With("init.alpha", "0.5"))).Message, StringComparison.OrdinalIgnoreCase);

        // More vectors than nodes: a 64-wide table over 90 items is fine, over a 40-item log it is not.
        var tiny = InitTestData.Split(users: 200, items: 40);
        var mf = InitTestData.Model("mf", tiny, d: 64);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new LeporidInitializer(new LeporidInitOptions { K = 10, Cache = false }).Initialize(mf.Tables, new InitContext(tiny, new Rng(0))));
        Assert.Contains($"64 vectors were requested of the item graph, which has {tiny.ItemCount} nodes", e.Message);

        // A solver stopped by its cap is an error with the residuals reached, never vectors.
        var capped = new LeporidInitOptions { K = 20, Cache = false, Eigen = new EigenOptions { MaxIterations = 1, Tolerance = 1e-14, BlockSize = 2, MaxBasisSize = 12 } };
        var big = InitTestData.Model("mf", Data);
        var before = big.Tables[1].Weight.ToArray();
        var x = Assert.Throws<EigenNotConvergedException>(() => new LeporidInitializer(capped).Initialize(big.Tables, new InitContext(Data, new Rng(0))));
        Assert.Contains("did not converge on the user graph within 1 restart cycles", x.Message);
        Assert.Contains("residuals reached", x.Message);
        Assert.Equal(8, x.Residuals.Count);
        Assert.Equal(before, big.Tables[1].Weight.ToArray());
    }
}
