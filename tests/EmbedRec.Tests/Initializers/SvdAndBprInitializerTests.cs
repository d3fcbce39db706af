using EmbedRec.Config;
using EmbedRec.Data.Registry;
using EmbedRec.Data.Splits;
using EmbedRec.Initializers;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Linalg;
using EmbedRec.Tensors.Sparse;
using EmbedRec.Training;
using Xunit;

namespace EmbedRec.Tests.Initializers;

/// <summary>SVD against a dense reference; <c>bpr</c> copies a finished MF-BPR run of the same data and refuses other data.</summary>
public sealed class SvdAndBprInitializerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The rank-k approximation Σ σ u vᵀ and the σ from the dense eigendecomposition of [[0, A], [Aᵀ, 0]] (eigenvalues ±σ).</summary>
    private static (double[] Sigma, double[] Approx) DenseReference(double[] a, int rows, int cols, int k)
    {
        int n = rows + cols;
        var m = new double[n * n];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m[i * n + rows + j] = m[(rows + j) * n + i] = a[i * cols + j];
        var (values, vectors) = SymmetricEigen.Decompose(m, n);
        var sigma = new double[k];
        var approx = new double[rows * cols];
        for (int t = 0; t < k; t++)
        {
            int c = n - 1 - t; // largest first
            sigma[t] = values[c];
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++) approx[i * cols + j] += 2 * values[c] * vectors[i * n + c] * vectors[(rows + j) * n + c];
        }
        return (sigma, approx);
    }

    private static double[] RandomBinary(int rows, int cols, double density, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, rows * cols).Select(_ => rng.NextDouble() < density ? 1.0 : 0.0).ToArray();
    }

    private static CsrMatrix<double> Sparse(double[] a, int rows, int cols)
    {
        var (r, c, v) = (new List<int>(), new List<int>(), new List<double>());
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) if (a[i * cols + j] != 0) { r.Add(i); c.Add(j); v.Add(a[i * cols + j]); }
        return CsrMatrix<double>.FromCoo(rows, cols, r.ToArray(), c.ToArray(), v.ToArray());
    }

    [Theory]
    [InlineData(14, 9, 4)]     // small: the solver's dense path
    [InlineData(150, 70, 6)]   // the Lanczos iteration on AᵀA
    [InlineData(60, 130, 6)]   // wider than tall: AAᵀ
    public void TruncatedSvdMatchesADenseReference(int rows, int cols, int k)
    {
        var a = RandomBinary(rows, cols, 0.15, (ulong)(rows * cols));
        // The tolerance is relative to ‖A‖₁‖A‖∞ ≥ σ_max²: residuals of about 1e-8 of it leave vector errors near 1e-7.
        var svd = TruncatedSvd.Compute(Sparse(a, rows, cols), k);
        var (sigma, approx) = DenseReference(a, rows, cols, k);
        for (int t = 0; t < k; t++) Assert.Equal(sigma[t], svd.Values[t], 1e-8);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                double ours = 0;
                for (int t = 0; t < k; t++) ours += svd.Left[i * k + t] * svd.Values[t] * svd.Right[j * k + t];
                Assert.True(Math.Abs(ours - approx[i * cols + j]) < 1e-6, $"({i}, {j}): {ours} vs {approx[i * cols + j]}");
            }
        Assert.Contains("at most", Assert.Throws<ArgumentOutOfRangeException>(() => TruncatedSvd.Compute(Sparse(a, rows, cols), Math.Min(rows, cols) + 1)).Message);
    }

    [Fact]
    public void SvdFillsUsersWithUSqrtSigmaAndItemsWithVSqrtSigmaThroughTheRowMaps()
    {
        var split = InitTestData.Split();
        var mf = InitTestData.Model("mf", split);
        var init = new SvdInitializer(new SvdInitOptions { Cache = false });
        init.Initialize(mf.Tables, new InitContext(split, new Rng(0)));
        var reference = TruncatedSvd.Compute(SvdInitializer.Binary(split.Train), 8);
        var users = InitTestData.Rows(mf.Tables[0], true);
        var items = InitTestData.Rows(mf.Tables[1], false);
        for (int j = 0; j < 8; j++)
        {
            Assert.Equal((float)(reference.Left[3 * 8 + j] * Math.Sqrt(reference.Values[j])), (float)users[3][j]);
            Assert.Equal((float)(reference.Right[5 * 8 + j] * Math.Sqrt(reference.Values[j])), (float)items[5][j]);
        }
        // user · item is the rank-8 approximation of the interaction matrix.
        var lightgcn = InitTestData.Model("lightgcn", split);
        new SvdInitializer(new SvdInitOptions { Cache = false }).Initialize(lightgcn.Tables, new InitContext(split, new Rng(0)));
        Assert.Equal(mf.Tables[0].Weight.ToArray().Concat(mf.Tables[1].Weight.ToArray()), lightgcn.Tables[0].Weight.ToArray());
        Assert.Equal(2, init.Reports.Count);
        Assert.Equal(reference.Values[0], init.Reports[0].FirstValue, 1e-4);

        // normalize: zscore (what the Leporid authors feed DLR2): every column of each side to mean 0, population std 1,
        // an affine map of the raw column.
        var z = InitTestData.Model("mf", split);
        new SvdInitializer(new SvdInitOptions { Cache = false, ZScore = true }).Initialize(z.Tables, new InitContext(split, new Rng(0)));
        AssertZScoreOf(users, InitTestData.Rows(z.Tables[0], true));
        AssertZScoreOf(items, InitTestData.Rows(z.Tables[1], false));
    }

    /// <summary>Each column of <paramref name="z"/> has mean 0, population std 1, and is (raw − mean)/std of <paramref name="raw"/>.</summary>
    private static void AssertZScoreOf(IReadOnlyList<double[]> raw, IReadOnlyList<double[]> z)
    {
        for (int j = 0; j < raw[0].Length; j++)
        {
            var col = raw.Select(r => r[j]).ToArray();
            double mean = col.Average(), sd = Math.Sqrt(col.Select(v => (v - mean) * (v - mean)).Average());
            Assert.Equal(0, z.Select(r => r[j]).Average(), 1e-5);
            Assert.Equal(1, Math.Sqrt(z.Select(r => r[j] * r[j]).Average()), 1e-4);
            for (int i = 0; i < raw.Count; i++) Assert.Equal((raw[i][j] - mean) / sd, z[i][j], 1e-4);
        }
    }

    [Fact]
    public void BprCopiesAFinishedMfRunOfTheSameSplitAndRefusesOtherData()
    {
        RunConfig Mf() => new RunConfig().With("model", "mf").With("dataset", "synthetic").With("epochs", "1").With("model.embedding_size", "8").With("topk", "10");
        DataSplit SplitOf(RunConfig c) => Experiment.LoadSplit(RunSpec.Resolve(c).Data, new DatasetRegistry(".", []));
        var run = new RunDirectory(Path.Combine(_dir.Path, "mf-bpr"));
        Experiment.Train(Mf(), SplitOf(Mf()), run);
        var trained = EmbeddingFile.Read(Path.Combine(run.Path, EmbeddingFile.FileName));

        var same = Mf().With("init", "bpr").With("init.path", run.Path);
        var model = (EmbedRec.Models.MatrixFactorization)Experiment.Build(RunSpec.Resolve(same), SplitOf(same)).Model;
        Assert.Equal(trained["item"].Rows.ToArray(), model.ItemEmbedding.ToArray());
        Assert.Equal(trained["user"].Rows.ToArray(), model.UserEmbedding.ToArray());
        var zscored = (EmbedRec.Models.MatrixFactorization)Experiment.Build(RunSpec.Resolve(same.With("init.normalize", "zscore")), SplitOf(same)).Model;
        AssertZScoreOf(InitTestData.Rows(model.Tables[0], true), InitTestData.Rows(zscored.Tables[0], true));
        AssertZScoreOf(InitTestData.Rows(model.Tables[1], false), InitTestData.Rows(zscored.Tables[1], false));

        // Another split of the same log: same users and items, so 'pretrained' would copy; 'bpr' refuses by the fingerprint.
        var other = Mf().With("split", "temporal").With("init", "bpr").With("init.path", run.Path);
        var e = Assert.Throws<InvalidDataException>(() => Experiment.Build(RunSpec.Resolve(other), SplitOf(other)));
        Assert.Contains("was trained on other data", e.Message);
        Assert.Contains("Train the MF-BPR run on this dataset and split first", e.Message);

        // An unfinished run, a run of another model and a run without data.json are refused too.
        File.Move(Path.Combine(run.Path, "metrics.json"), Path.Combine(run.Path, "metrics.json.bak"));
        Assert.Contains("no metrics.json", Assert.Throws<InvalidDataException>(() => Experiment.Build(RunSpec.Resolve(same), SplitOf(same))).Message);
        File.Move(Path.Combine(run.Path, "metrics.json.bak"), Path.Combine(run.Path, "metrics.json"));
        File.Delete(Path.Combine(run.Path, "data.json"));
        Assert.Contains("cannot be checked", Assert.Throws<InvalidDataException>(() => Experiment.Build(RunSpec.Resolve(same), SplitOf(same))).Message);
        Assert.Throws<DirectoryNotFoundException>(() => new BprInitializer(new PretrainedOptions { Path = Path.Combine(_dir.Path, "none") }));
    }
}
