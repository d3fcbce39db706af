using System.Globalization;
using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Graphs;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Linalg;

namespace EmbedRec.Initializers;

/// <summary>Options of <see cref="LeporidInitializer"/> (<c>init: leporid</c> and <c>init: le</c>).</summary>
public sealed record LeporidInitOptions
{
    /// <summary>
    /// Degree regularization α in [0, 1]. Default 0.5, the Leporid paper's appendix and its code (Zhang et al.,
    /// KDD 2021; the ablation prefers 0.7); <c>init: le</c> fixes it at 0 (Laplacian eigenmaps).
    /// </summary>
    public float Alpha { get; init; } = 0.5f;

    /// <summary>Neighbours per node of the Jaccard graph. Default 1000, the paper's (as <see cref="JaccardKnnOptions.K"/>).</summary>
    public int K { get; init; } = 1000;

    /// <summary>
    /// Z-score each column (mean 0, population std 1), as the authors do before DLR2 (their <c>_norm</c> files).
    /// Default true for every model: one default, the method as published. The raw eigenvectors have unit columns,
    /// so their entries are about 1/√n; for dot-product models either keep the z-score with a smaller
    /// <see cref="Scale"/> or take the raw vectors with <c>normalize: none</c>.
    /// </summary>
    public bool ZScore { get; init; } = true;

    /// <summary>
    /// The Laplacian whose smallest eigenvectors are taken: normalized, I − D_reg^-½ W D_reg^-½ (Leporid's and Laplacian
    /// eigenmaps', the default), or unnormalized, D_reg − W (SPEC §1.2's variant, an option).
    /// </summary>
    public LaplacianKind Laplacian { get; init; } = LaplacianKind.Normalized;

    /// <summary>Multiplies the (normalized) vectors before they fill the tables. Default 1: the vectors as the authors use them.</summary>
    public float Scale { get; init; } = 1f;

    /// <summary>Keep the computed vectors in the <see cref="InitCache"/> of the run's context. Default true: a grid computes them once.</summary>
    public bool Cache { get; init; } = true;

    /// <summary>The eigensolver's options (tolerance, iteration cap, seed of the start block); the engine's defaults, not configurable by key.</summary>
    public EigenOptions Eigen { get; init; } = new();

    /// <summary>The <c>init:</c> keys of <c>leporid</c>.</summary>
    public static readonly OptionsBinder<LeporidInitOptions> Binder = Common(new OptionsBinder<LeporidInitOptions>(new())
        .Float("alpha", o => o.Alpha, (o, v) => o with { Alpha = v }, "degree regularization α in [0, 1] (0 is Laplacian eigenmaps)", min: 0, max: 1));

    /// <summary>The <c>init:</c> keys of <c>le</c> (α = 0).</summary>
    public static readonly OptionsBinder<LeporidInitOptions> LeBinder = Common(new OptionsBinder<LeporidInitOptions>(new() { Alpha = 0 }));

    private static OptionsBinder<LeporidInitOptions> Common(OptionsBinder<LeporidInitOptions> b) => b
        .Int("k", o => o.K, (o, v) => o with { K = v }, "neighbours per node of the Jaccard graph", min: 1)
        .Choice("normalize", o => o.ZScore, (o, v) => o with { ZScore = v }, "zscore: each column to mean 0, std 1 (the authors' DLR2 input); none: unit eigenvectors",
            ("zscore", true), ("none", false))
        .Choice("laplacian", o => o.Laplacian, (o, v) => o with { Laplacian = v }, "normalized: I − D_reg^-½ W D_reg^-½ (Leporid's); unnormalized: D_reg − W",
            ("normalized", LaplacianKind.Normalized), ("unnormalized", LaplacianKind.Unnormalized))
        .Float("scale", o => o.Scale, (o, v) => o with { Scale = v }, "factor applied to the vectors after normalization", min: 0, exclusiveMin: true)
        .Bool("cache", o => o.Cache, (o, v) => o with { Cache = v }, "keep the computed vectors in the init cache (EMBEDREC_CACHE)");
}

/// <summary>
/// Leporid initialization (SPEC §1; Zhang et al., KDD 2021): user vectors from the Jaccard K-nearest-neighbour
/// user graph of the training data, item vectors from the item graph, each the eigenvectors of the smallest
/// eigenvalues of L = I − D_reg^-½ W D_reg^-½ (<see cref="SpectralEmbedding"/>), as many as the widest table of
/// that side; each table takes its first <c>Dim</c> columns through its row map. <c>init: le</c> is α = 0.
/// Draws nothing from the run's generator (the solver has its own seed), so a cached and a computed run continue
/// with the same random stream.
/// </summary>
public sealed class LeporidInitializer : IInitializer, IReportsInitSides
{
    private readonly LeporidInitOptions _o;
    private readonly string _name;
    private readonly List<InitSideReport> _reports = [];

    /// <summary><c>init: leporid</c>.</summary>
    public static readonly InitializerRegistration Registration = InitializerRegistration.For("leporid",
        "Leporid (Zhang et al., KDD 2021): smallest eigenvectors of the regularized Laplacian of the Jaccard KNN graphs",
        LeporidInitOptions.Binder, o => new LeporidInitializer(o), fromData: true);

    /// <summary><c>init: le</c>: Laplacian eigenmaps, Leporid with α = 0.</summary>
    public static readonly InitializerRegistration LeRegistration = InitializerRegistration.For("le",
        "Laplacian eigenmaps: Leporid with α = 0", LeporidInitOptions.LeBinder, o => new LeporidInitializer(o, "le"), fromData: true);

    /// <summary>Creates the initializer; K &lt; 1, α outside [0, 1] or a non-positive scale are refused.</summary>
    public LeporidInitializer(LeporidInitOptions options, string name = "leporid")
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.K < 1) throw new ArgumentOutOfRangeException(nameof(options), options.K, $"init '{name}': K must be at least 1; got {options.K}.");
        if (!(options.Alpha >= 0 && options.Alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(options), options.Alpha, $"init '{name}': α must be in [0, 1]; got {options.Alpha.ToString(CultureInfo.InvariantCulture)}.");
        if (!(options.Scale > 0) || float.IsInfinity(options.Scale)) throw new ArgumentOutOfRangeException(nameof(options), options.Scale, $"init '{name}': the scale must be positive and finite.");
        _o = options;
        _name = name;
    }

    /// <summary>α as the decimal the options were written with (0.7f is 0.7, not 0.699999988).</summary>
    private double Alpha => double.Parse(_o.Alpha.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"{_name}(α {Alpha}, K {_o.K}, {(_o.ZScore ? "zscore" : "none")}{(_o.Laplacian == LaplacianKind.Unnormalized ? ", unnormalized" : "")}{(_o.Scale != 1f ? ", scale " + _o.Scale.ToString("R", CultureInfo.InvariantCulture) : "")})");

    /// <summary>What the last <see cref="Initialize"/> computed or read, per side.</summary>
    public IReadOnlyList<InitSideReport> Reports => _reports;

    /// <inheritdoc />
    public void Initialize(IReadOnlyList<EmbeddingTable> tables, InitContext context)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(context);
        _reports.Clear();
        var fingerprint = _o.Cache && context.CacheDirectory is not null ? DataFingerprint.Of(context.Split.Train) : null;
        foreach (bool users in new[] { true, false })
        {
            int k = SpectralRows.Width(tables, users);
            if (k == 0) continue;
            var (raw, n, isolated) = Side(users, k, context, fingerprint);
            var rows = _o.ZScore ? SpectralRows.ZScore(raw, n, k, isolated.ToHashSet()) : raw;
            SpectralRows.Fill(tables, users, rows, k, _o.Scale);
        }
    }

    /// <summary>The raw vectors of one side as float32 [n, k] (what the cache holds), from the cache or computed.</summary>
    private (float[] Raw, int N, int[] Isolated) Side(bool users, int k, InitContext context, DataFingerprint? fingerprint)
    {
        string side = users ? "user" : "item";
        var e = _o.Eigen;
        var t = Spectral.Cached(context, fingerprint, "leporid", () =>
        {
            var train = context.Split.Train;
            var knn = new JaccardKnnOptions { K = _o.K };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var w = users ? JaccardKnn.Users(train, knn, context.Cancel) : JaccardKnn.Items(train, knn, context.Cancel);
            context.Progress?.Report(string.Create(CultureInfo.InvariantCulture,
                $"{_name}: {side} graph, {w.RowCount:N0} nodes, {w.NonZeros:N0} non-zeros ({clock.Elapsed.TotalSeconds:0.00} s); solving for {k} vectors"));
            var (r, isolated) = SpectralEmbedding.Smallest(w, k, Alpha, e, side + " graph", context.Cancel, context.SolverProgress($"{_name}: {side} spectrum", k), _o.Laplacian);
            return Spectral.Pack([("vectors", r.Vectors, r.Size, k)], r.Values, r.Residuals, isolated);
        }, [("side", side), ("alpha", Alpha), ("k", _o.K), ("vectors", k), ("tolerance", e.Tolerance), ("max_iterations", e.MaxIterations),
            ("block", e.BlockSize), ("basis", e.MaxBasisSize ?? -1), ("seed", e.Seed),
            // Only the variant enters the key, so that entries computed before the option existed are still found.
            .. (_o.Laplacian == LaplacianKind.Normalized ? Array.Empty<(string, object)>() : [("laplacian", "unnormalized")])]);
        var v = Spectral.Matrix(t, "vectors", users ? context.Split.UserCount : context.Split.ItemCount, k);
        var isolatedNodes = t.Ints.TryGetValue("isolated", out var iso) ? iso : [];
        _reports.Add(Spectral.Report(t, side, users ? context.Split.UserCount : context.Split.ItemCount, k, isolatedNodes.Length));
        return (v, users ? context.Split.UserCount : context.Split.ItemCount, isolatedNodes);
    }
}
