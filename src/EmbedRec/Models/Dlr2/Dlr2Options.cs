using EmbedRec.Config;

namespace EmbedRec.Models;

/// <summary>The feature network of <see cref="Dlr2"/>: the paper's model and its §5.5.4 ablations (appendix H).</summary>
public enum Dlr2Variant
{
    /// <summary>The residual network (the paper's "ResNet", the authors' <c>ifrevnet = 0</c>).</summary>
    ResNet,

    /// <summary>The same convolutions without the residual additions and the shortcut ("Only Conv", <c>ifrevnet = 2</c>).</summary>
    OnlyConv,

    /// <summary>
    /// Fully connected layers instead of the 3×3 convolutions ("No Conv", <c>ifrevnet = 3</c>): as the code builds it, the
    /// 1×1 convolution stays, then four layers of widths 128, 256, 128, 256 with ReLU (the paper's appendix says four of 256).
    /// </summary>
    NoConv,
}

/// <summary>Options of <see cref="Dlr2"/>; defaults are the authors' code (SPEC §2, paper appendix G).</summary>
public sealed record Dlr2Options : IFreezesInitializedEmbeddings
{
    /// <summary>Embedding size d and size of the state s (64 in the paper's appendix G and the code's <c>--dim</c>).</summary>
    public int Dim { get; init; } = 64;

    /// <summary>Recent items l in the state (5: appendix G, the code's <c>--state_num</c>).</summary>
    public int Window { get; init; } = 5;

    /// <summary>Channels of the 1×1 convolution and the first residual block; the stride-2 block has twice as many (64 → 128 in the code).</summary>
    public int Channels { get; init; } = 64;

    /// <summary>Hidden widths of the critic S and the actor G (256, 256, 128: appendix G, the code's <c>CriticModel</c>/<c>ActorModel</c>).</summary>
    public IReadOnlyList<int> HeadLayers { get; init; } = [256, 256, 128];

    /// <summary>The feature network (the residual one unless an ablation is asked for).</summary>
    public Dlr2Variant Variant { get; init; } = Dlr2Variant.ResNet;

    /// <summary>σ of the model's own N(0, σ²) embedding initialization (the code's random initialization: <c>normal_(0, 0.01)</c>).</summary>
    public float InitStd { get; init; } = 0.01f;

    /// <summary>
    /// Whether <c>user.weight</c> and <c>item.weight</c> stay fixed: by default (auto) when an initializer computed them from
    /// the data (<c>le</c>, <c>leporid</c>, <c>svd</c>, <c>bpr</c>, <c>pretrained</c>), as the authors' code freezes its LE and
    /// Leporid inputs (SPEC §2: the paper says they are trained), and trained after a random one or the model's own.
    /// </summary>
    public EmbeddingFreezing FreezeEmbeddings { get; init; } = EmbeddingFreezing.Auto;

    /// <inheritdoc />
    public IReadOnlyList<string> FrozenParameters(bool initializedFromData) =>
        FreezeEmbeddings == EmbeddingFreezing.Frozen || (FreezeEmbeddings == EmbeddingFreezing.Auto && initializedFromData) ? ["user.weight", "item.weight"] : [];

    /// <summary>The <c>model:</c> keys of DLR2.</summary>
    public static readonly OptionsBinder<Dlr2Options> Binder = new OptionsBinder<Dlr2Options>(new())
        .Int("dim", o => o.Dim, (o, v) => o with { Dim = v }, "embedding and state size d", min: 1)
        .Int("window", o => o.Window, (o, v) => o with { Window = v }, "recent items l in the state", min: 1)
        .Int("channels", o => o.Channels, (o, v) => o with { Channels = v }, "channels of the first block (the stride-2 block has twice as many)", min: 1)
        .IntList("head_layers", o => o.HeadLayers, (o, v) => o with { HeadLayers = v }, "hidden widths of the critic S and the actor G", min: 1)
        .Choice("variant", o => o.Variant, (o, v) => o with { Variant = v }, "feature network: resnet, or the ablations only_conv and no_conv",
            ("resnet", Dlr2Variant.ResNet), ("only_conv", Dlr2Variant.OnlyConv), ("no_conv", Dlr2Variant.NoConv))
        .Float("init_std", o => o.InitStd, (o, v) => o with { InitStd = v }, "σ of the model's own N(0, σ²) embedding initialization", min: 0)
        .Choice("freeze_embeddings", o => o.FreezeEmbeddings, (o, v) => o with { FreezeEmbeddings = v },
            "keep user.weight and item.weight fixed: auto (when the initializer computed them from the data, as the authors' code does), true, false",
            ("auto", EmbeddingFreezing.Auto), ("true", EmbeddingFreezing.Frozen), ("false", EmbeddingFreezing.Trained));
}
