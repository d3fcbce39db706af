using EmbedRec.Config;
using EmbedRec.Data.Splits;
using EmbedRec.Models;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Linalg;

namespace EmbedRec.Initializers;

/// <summary>What an initializer works with: the split (its id maps) and the run's generator after the model drew from it.</summary>
/// <param name="Split">The data split.</param>
/// <param name="Rng">The run's generator.</param>
public sealed record InitContext(DataSplit Split, Rng Rng)
{
    /// <summary>
    /// The folder where initializers that compute their embeddings (<c>leporid</c>, <c>le</c>, <c>svd</c>) keep them
    /// between runs (<see cref="InitCache"/>); null keeps nothing. <c>Experiment</c> passes <see cref="InitCache.DefaultDirectory"/>.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Cancels a long initialization (an eigensolver between blocks).</summary>
    public CancellationToken Cancel { get; init; }

    /// <summary>
    /// Receives one line per step of a long initialization (a graph built, an eigensolver's restart cycle), e.g.
    /// "leporid: item spectrum, cycle 3: 40 of 64 converged, largest residual 2.1e-05"; null reports nothing.
    /// Called on the initializing thread.
    /// </summary>
    public IProgress<string>? Progress { get; init; }

    /// <summary>An eigensolver progress that forwards each restart cycle to <see cref="Progress"/> as a line starting with <paramref name="what"/>.</summary>
    public IProgress<EigenProgress>? SolverProgress(string what, int count) =>
        Progress is null ? null : new ImmediateProgress<EigenProgress>(p => Progress.Report(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{what}, cycle {p.Iteration}: {p.Converged} of {count} converged, largest residual {p.MaxResidual:0.0e+00}, {p.MatVecs} operator applications")));
}

/// <summary>
/// Fills a model's embedding tables after it is built and before training (DESIGN decision 7): through
/// each table's row map, so padding and mask rows are left as the model set them unless the method
/// is defined on whole tables (Xavier). Recorded in the run; <c>evaluate</c> never runs it again.
/// </summary>
public interface IInitializer
{
    /// <summary>One line for the run's records, e.g. "normal(σ = 0.01)".</summary>
    string Description { get; }

    /// <summary>Fills <paramref name="tables"/>.</summary>
    void Initialize(IReadOnlyList<EmbeddingTable> tables, InitContext context);
}

/// <summary>A registered initializer: its name, options record and how to build it.</summary>
public sealed record InitializerRegistration : Component
{
    /// <summary>Declares an initializer.</summary>
    public InitializerRegistration(string name, IReadOnlyList<string> aliases, string description, IOptionsBinder binder, Func<object, IInitializer> create,
        bool fromData = false)
        : base(name, aliases, description, binder)
    {
        Create = create ?? throw new ArgumentNullException(nameof(create));
        FromData = fromData;
    }

    /// <summary>Builds the initializer from its bound options.</summary>
    public Func<object, IInitializer> Create { get; }

    /// <summary>
    /// Whether the vectors are computed from the data (a spectrum, an SVD, a trained run) rather than drawn at random: a
    /// model that keeps such vectors fixed by default (<see cref="Models.IFreezesInitializedEmbeddings"/>, DLR2) asks this.
    /// </summary>
    public bool FromData { get; }

    /// <summary>A registration with typed options.</summary>
    public static InitializerRegistration For<TOptions>(string name, string description, OptionsBinder<TOptions> binder, Func<TOptions, IInitializer> create,
        IReadOnlyList<string>? aliases = null, bool fromData = false) where TOptions : class =>
        new(name, aliases ?? [], description, binder, o => create((TOptions)o), fromData);
}
