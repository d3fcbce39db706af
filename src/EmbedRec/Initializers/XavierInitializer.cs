using EmbedRec.Config;
using EmbedRec.Models;

namespace EmbedRec.Initializers;

/// <summary>Options of <see cref="XavierInitializer"/>.</summary>
public sealed record XavierInitOptions
{
    /// <summary>Uniform (PyTorch's xavier_uniform_, what DirectSpec's code uses) or normal draws.</summary>
    public bool Normal { get; init; }

    /// <summary>The gain (1 for linear layers and embeddings).</summary>
    public float Gain { get; init; } = 1f;

    /// <summary>The <c>init:</c> keys.</summary>
    public static readonly OptionsBinder<XavierInitOptions> Binder = new OptionsBinder<XavierInitOptions>(new())
        .Choice("distribution", o => o.Normal, (o, v) => o with { Normal = v }, "uniform U(−a, a) or normal N(0, σ²) with Glorot's scale", ("uniform", false), ("normal", true))
        .Float("gain", o => o.Gain, (o, v) => o with { Gain = v }, "gain", min: 0, exclusiveMin: true);
}

/// <summary>
/// Glorot and Bengio's initialization (AISTATS 2010) over each whole table [rows, d], fans as PyTorch
/// computes them; tables in the model's order. DirectSpec's and SASRec's code initialize this way.
/// </summary>
public sealed class XavierInitializer(XavierInitOptions options) : IInitializer
{
    /// <summary><c>init: xavier</c>.</summary>
    public static readonly InitializerRegistration Registration = InitializerRegistration.For("xavier", "Xavier/Glorot over each whole table",
        XavierInitOptions.Binder, o => new XavierInitializer(o), aliases: ["xavier_uniform", "glorot"]);

    /// <inheritdoc />
    public string Description => $"xavier({(options.Normal ? "normal" : "uniform")}, gain {options.Gain.ToString(System.Globalization.CultureInfo.InvariantCulture)})";

    /// <inheritdoc />
    public void Initialize(IReadOnlyList<EmbeddingTable> tables, InitContext context)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var t in tables)
        {
            if (options.Normal) Tensors.Nn.Init.XavierNormal(t.Weight, context.Rng, options.Gain);
            else Tensors.Nn.Init.XavierUniform(t.Weight, context.Rng, options.Gain);
        }
    }
}
