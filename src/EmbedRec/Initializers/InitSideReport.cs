using System.Globalization;

namespace EmbedRec.Initializers;

/// <summary>What one side of a spectral or SVD initialization computed or found.</summary>
/// <param name="Side">"user" or "item".</param>
/// <param name="Nodes">Rows (users or items).</param>
/// <param name="Vectors">Vectors computed (the widest table's size).</param>
/// <param name="Isolated">Nodes without an edge (zero rows).</param>
/// <param name="FirstValue">The first eigenvalue (smallest; largest singular value for SVD).</param>
/// <param name="LastValue">The last one.</param>
/// <param name="MaxResidual">The largest residual ‖Mx − λx‖ of the solver.</param>
/// <param name="Outcome">Computed, read from the cache, or computed without a cache (null).</param>
public sealed record InitSideReport(string Side, int Nodes, int Vectors, int Isolated, double FirstValue, double LastValue, double MaxResidual, CacheOutcome? Outcome)
{
    /// <summary>One line for the run's output, e.g. "user side: 1,500 nodes, 64 vectors, values 0–0.41, largest residual 3.1e-07, from the init cache".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Side} side: {Nodes:N0} nodes, {Vectors} vectors{(Isolated > 0 ? $" ({Isolated:N0} isolated)" : "")}, values {FirstValue:0.####}–{LastValue:0.####}, largest residual {MaxResidual:0.0e+00}, {Source}");

    /// <summary>Where the vectors came from, in words.</summary>
    public string Source => Origin.Words;

    /// <summary>Where the vectors came from: in words for the output, as a short tag for metrics.json.</summary>
    private (string Words, string Tag) Origin => Outcome switch
    {
        CacheOutcome.Hit => ("from the init cache", "cache"),
        CacheOutcome.Computed => ("computed and written to the init cache", "computed, cached"),
        CacheOutcome.Replaced => ("computed again (the cached entry was unreadable) and replaced in the init cache", "computed, replaced"),
        CacheOutcome.NotWritten => ("computed (the init cache could not be written or another run held the entry too long)", "computed, not cached"),
        _ => ("computed (no init cache)", "computed"),
    };

    /// <summary>The fields as metrics.json records them (the outcome by name).</summary>
    public IReadOnlyDictionary<string, object> ToRecord() => new Dictionary<string, object>
    {
        ["side"] = Side, ["nodes"] = Nodes, ["vectors"] = Vectors, ["isolated"] = Isolated,
        ["first_value"] = FirstValue, ["last_value"] = LastValue, ["max_residual"] = MaxResidual,
        ["source"] = Origin.Tag,
    };
}

/// <summary>An initializer that computes its vectors from the data (Leporid, LE, SVD) and says, per side, what it computed or found.</summary>
public interface IReportsInitSides
{
    /// <summary>The reports of the last <see cref="IInitializer.Initialize"/>, user side first.</summary>
    IReadOnlyList<InitSideReport> Reports { get; }
}
