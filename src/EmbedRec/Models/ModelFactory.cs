using EmbedRec.Config;
using EmbedRec.Data.Splits;
using EmbedRec.Tensors;

namespace EmbedRec.Models;

/// <summary>Builds a model from a configuration and a split (parameters initialized from the config's seed).</summary>
public static class ModelFactory
{
    /// <summary>Known model names.</summary>
    public static readonly string[] Names = ["pop", "itemknn", "userknn", "ease", "mf", "lightgcn", "neumf", "directspec", "directspec+", "directau"];

    private static DirectSpecModel DirectSpec(string name, RunConfig config, DataSplit split, Rng rng)
    {
        var encoderName = (config.Get("encoder") ?? "mf").ToLowerInvariant();
        EmbeddingModel encoder = encoderName switch
        {
            "mf" => new MatrixFactorization(split.UserCount, split.ItemCount, new MfOptions { EmbeddingSize = config.Int("embedding_size") }, rng),
            "lightgcn" => new LightGcn(split.Train, new LightGcnOptions { EmbeddingSize = config.Int("embedding_size"), Layers = config.Int("n_layers"), RegWeight = 0f }, rng),
            _ => throw new FormatException($"encoder '{encoderName}' is not mf or lightgcn."),
        };
        return new DirectSpecModel(encoder, split.Train, new DirectSpecOptions
        {
            Variant = name switch { "directspec" => DirectSpecVariant.DirectSpec, "directau" => DirectSpecVariant.DirectAu, _ => DirectSpecVariant.DirectSpecPlus },
            Alpha = config.Float("alpha"),
            Gamma = (config.Get("gamma_mode") ?? "constant").ToLowerInvariant() switch
            {
                "constant" => GammaMode.Constant,
                "static" => GammaMode.Static,
                "learned" => GammaMode.Learned,
                var g => throw new FormatException($"gamma_mode '{g}' is not constant, static or learned."),
            },
            Tau = config.Float("tau"),
            Tau0 = config.Float("tau0"),
            Tau1 = config.Float("tau1"),
            Shrink = config.OptionalFloat("shrink"),
            L2 = config.Float("l2"),
            Uniformity = config.Float("uniformity"),
        }, rng);
    }

    /// <summary>Creates the configured model for <paramref name="split"/>.</summary>
    public static IRecommender Create(RunConfig config, DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(split);
        string name = config.Require("model").ToLowerInvariant();
        var rng = new Rng((ulong)config.Int("seed"));
        var train = split.Train;
        return name switch
        {
            "pop" => new Popularity(train),
            "itemknn" => new ItemKnn(train, new KnnOptions { K = config.Int("k"), Shrink = config.OptionalFloat("shrink") ?? 0f }),
            "userknn" => new UserKnn(train, new KnnOptions { K = config.Int("k"), Shrink = config.OptionalFloat("shrink") ?? 0f }),
            "directspec" or "directspec+" or "directau" => DirectSpec(name, config, split, rng),
            "ease" => new Ease(train, new EaseOptions { Lambda = config.OptionalFloat("reg_weight") ?? 250f }),
            "mf" or "bpr" => new MatrixFactorization(split.UserCount, split.ItemCount, new MfOptions
            {
                EmbeddingSize = config.Int("embedding_size"),
                InitStd = config.OptionalFloat("init_std") ?? 0.01f,
                RegWeight = config.OptionalFloat("reg_weight") ?? 0f,
            }, rng),
            "lightgcn" => new LightGcn(train, new LightGcnOptions
            {
                EmbeddingSize = config.Int("embedding_size"),
                Layers = config.Int("n_layers"),
                RegWeight = config.OptionalFloat("reg_weight") ?? 1e-4f,
                InitStd = config.OptionalFloat("init_std") ?? 0.1f,
            }, rng),
            "neumf" => new NeuMf(split.UserCount, split.ItemCount, new NeuMfOptions
            {
                GmfSize = config.Int("gmf_size"),
                MlpEmbeddingSize = config.Int("mlp_embedding_size"),
                MlpLayers = config.IntList("mlp_layers"),
                InitStd = config.OptionalFloat("init_std") ?? 0.01f,
            }, rng),
            _ => throw new FormatException($"Unknown model '{name}'. Models: {string.Join(", ", Names)}."),
        };
    }
}
