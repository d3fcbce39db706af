using System.Globalization;
using EmbedRec.Config;
using EmbedRec.Models;
using EmbedRec.Tensors;

namespace EmbedRec.Initializers;

/// <summary>Options of <see cref="NormalInitializer"/>.</summary>
public sealed record NormalInitOptions
{
    /// <summary>σ of N(0, σ²); 0.01 is the N(0, 1e-4) of SEvo's MF setting.</summary>
    public float Std { get; init; } = 0.01f;

    /// <summary>The <c>init:</c> keys.</summary>
    public static readonly OptionsBinder<NormalInitOptions> Binder = new OptionsBinder<NormalInitOptions>(new())
        .Float("std", o => o.Std, (o, v) => o with { Std = v }, "σ of the N(0, σ²) draws", min: 0);
}

/// <summary>Draws every user and item row of each table from N(0, σ²), table after table, rows in order.</summary>
public sealed class NormalInitializer(NormalInitOptions options) : IInitializer
{
    /// <summary><c>init: normal</c>.</summary>
    public static readonly InitializerRegistration Registration = InitializerRegistration.For("normal", "N(0, σ²) for every user and item row",
        NormalInitOptions.Binder, o => new NormalInitializer(o), aliases: ["random"]);

    /// <inheritdoc />
    public string Description => string.Create(CultureInfo.InvariantCulture, $"normal(std {options.Std})");

    /// <inheritdoc />
    public void Initialize(IReadOnlyList<EmbeddingTable> tables, InitContext context)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var t in tables)
        {
            int d = t.Dim;
            var span = t.Weight.Span;
            Fill(span.Slice(t.FirstUserRow * d, t.UserRows * d), context.Rng);
            Fill(span.Slice(t.FirstItemRow * d, t.ItemRows * d), context.Rng);
        }
    }

    private void Fill(Span<float> rows, Rng rng)
    {
        if (rows.IsEmpty) return;
        var block = Tensor.Zeros(rows.Length);
        Tensors.Nn.Init.Normal(block, rng, 0, options.Std);
        block.Span.CopyTo(rows);
    }
}
