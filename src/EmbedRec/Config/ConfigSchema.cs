namespace EmbedRec.Config;

/// <summary>Value type of a configuration key.</summary>
public enum ConfigType
{
    /// <summary>Text.</summary>
    String,

    /// <summary>Integer.</summary>
    Int,

    /// <summary>Number.</summary>
    Float,

    /// <summary>true/false.</summary>
    Bool,

    /// <summary>List of integers ([5, 10] or "5,10").</summary>
    IntList,

    /// <summary>List of text.</summary>
    StringList,
}

/// <summary>One known configuration key.</summary>
/// <param name="Key">Name (RecBole's where it has one).</param>
/// <param name="Type">Value type.</param>
/// <param name="Default">Default as text, or null when the model decides.</param>
/// <param name="Description">What it sets.</param>
public sealed record ConfigKey(string Key, ConfigType Type, string? Default, string Description);

/// <summary>Every key a run configuration may hold.</summary>
public static class ConfigSchema
{
    /// <summary>The keys.</summary>
    public static IReadOnlyList<ConfigKey> Keys { get; } =
    [
        new("model", ConfigType.String, null, "mf, lightgcn, neumf, pop, itemknn, userknn, ease, directspec, directspec+, directau"),
        new("dataset", ConfigType.String, null, "registered dataset name, path, or 'synthetic'"),
        new("format", ConfigType.String, null, "input format when dataset is a path"),
        new("filters", ConfigType.String, null, "filters, e.g. 'kcore=5' (default: the dataset's protocol)"),
        new("split", ConfigType.String, null, "split, e.g. 'loo' (default: the dataset's protocol)"),
        new("name", ConfigType.String, null, "run name (default: model-dataset)"),
        new("epochs", ConfigType.Int, "100", "maximum epochs"),
        new("train_batch_size", ConfigType.Int, "2048", "training triples per batch"),
        new("neg_samples", ConfigType.Int, null, "negatives per positive (default 1; 4 for neumf)"),
        new("loss_type", ConfigType.String, null, "bpr, bce or ce (default: the model's)"),
        new("optimizer", ConfigType.String, "adam", "adam, adamw or sgd"),
        new("learning_rate", ConfigType.Float, "0.001", "learning rate"),
        new("weight_decay", ConfigType.Float, "0", "weight decay"),
        new("momentum", ConfigType.Float, "0", "SGD momentum"),
        new("beta2", ConfigType.Float, "0.999", "Adam beta2"),
        new("lr_schedule", ConfigType.String, "none", "none, cosine, step, exponential"),
        new("lr_step", ConfigType.Int, "10", "epochs per step of the step schedule"),
        new("lr_gamma", ConfigType.Float, "0.5", "decay factor of step/exponential schedules"),
        new("clip_grad_norm", ConfigType.Float, null, "maximum gradient norm"),
        new("eval_step", ConfigType.Int, "1", "validate every N epochs"),
        new("valid_metric", ConfigType.String, "ndcg@10", "metric that selects the best epoch"),
        new("stopping_step", ConfigType.Int, "10", "evaluations without improvement before stopping"),
        new("topk", ConfigType.IntList, "5,10,20", "cutoffs"),
        new("metrics", ConfigType.StringList, "hit,recall,capped_recall,precision,f1,ndcg,mrr,map", "metrics"),
        new("eval_batch_size", ConfigType.Int, "256", "users scored per evaluation block"),
        new("track_erank", ConfigType.Bool, "false", "record the effective rank of item embeddings"),
        new("seed", ConfigType.Int, "2020", "seed"),
        new("embedding_size", ConfigType.Int, "64", "embedding size (mf, lightgcn)"),
        new("init_std", ConfigType.Float, null, "σ of the normal initialization (mf 0.01, lightgcn 0.1, neumf 0.01)"),
        new("reg_weight", ConfigType.Float, null, "L2 on batch embeddings (mf 0, lightgcn 1e-4); λ for ease (250)"),
        new("n_layers", ConfigType.Int, "3", "LightGCN propagation layers"),
        new("gmf_size", ConfigType.Int, "64", "NeuMF GMF embedding size"),
        new("mlp_embedding_size", ConfigType.Int, "32", "NeuMF MLP embedding size"),
        new("mlp_layers", ConfigType.IntList, "64,32,16", "NeuMF MLP tower"),
        new("k", ConfigType.Int, "100", "neighbours (itemknn, userknn)"),
        new("sampling", ConfigType.String, null, "interactions or users (default: users for directspec and directspec+, interactions otherwise)"),
        new("encoder", ConfigType.String, "mf", "directspec/directau encoder: mf or lightgcn"),
        new("alpha", ConfigType.Float, "1.0", "DirectSpec α"),
        new("gamma_mode", ConfigType.String, "constant", "DirectSpec+ Γ: constant, static or learned"),
        new("tau", ConfigType.Float, "3", "DirectSpec+ constant τ"),
        new("tau0", ConfigType.Float, "2.5", "DirectSpec+ static τ₀ (pairs within graph distance 2)"),
        new("tau1", ConfigType.Float, "3.0", "DirectSpec+ static τ₁ (other pairs)"),
        new("shrink", ConfigType.Float, null, "DirectSpec norm shrink s (itemknn/userknn: similarity shrinkage, default 0)"),
        new("l2", ConfigType.Float, "0", "DirectSpec L2 on the transformed rows"),
        new("uniformity", ConfigType.Float, "1", "DirectAU uniformity weight γ"),
        new("optimizer.sevo.graph", ConfigType.String, "none", "SEvo graph: none, ii (item co-occurrence), ui (user-item), category"),
        new("optimizer.sevo.beta", ConfigType.Float, "0.99", "SEvo smoothing strength β in [0, 1)"),
        new("optimizer.sevo.layers", ConfigType.Int, "3", "SEvo series length L"),
        new("optimizer.sevo.correction", ConfigType.Bool, "true", "SEvo-AdamW moment correction for rows without gradient"),
        new("optimizer.sevo.variant", ConfigType.String, "rescaled", "SEvo transform: rescaled, neumann, iterative"),
        new("optimizer.sevo.max_length", ConfigType.Int, null, "co-occurrence graph: last K items per sequence (default all)"),
        new("optimizer.sevo.max_distance", ConfigType.Int, "1", "co-occurrence graph: maximum path length H"),
        new("optimizer.sevo.weighting", ConfigType.String, "distance", "co-occurrence graph: distance or frequency"),
    ];

    private static readonly Dictionary<string, ConfigKey> ByName = Keys.ToDictionary(k => k.Key);

    /// <summary>The key named <paramref name="name"/>; unknown names throw with the closest known key.</summary>
    public static ConfigKey Get(string name, string where)
    {
        if (ByName.TryGetValue(name, out var k)) return k;
        var best = Keys.Select(x => (x.Key, D: Distance(name, x.Key))).OrderBy(x => x.D).First();
        throw new FormatException($"{where}: unknown key '{name}'." + (best.D <= Math.Max(2, name.Length / 3) ? $" Did you mean '{best.Key}'?" : "") +
            $" Known keys: {string.Join(", ", Keys.Select(x => x.Key))}.");
    }

    /// <summary>Levenshtein distance.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
