using EmbedRec.Config;
using EmbedRec.Evaluation;
using EmbedRec.Data;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Tensors.Linalg;
using EmbedRec.Tensors.Serialization;

namespace EmbedRec.Models;

/// <summary>Options of <see cref="Ease"/>.</summary>
public sealed record EaseOptions
{
    /// <summary>L2 weight λ on the item–item weights (RecBole's <c>reg_weight</c> default 250; the paper tunes 100–1000).</summary>
    public float Lambda { get; init; } = 250f;

    /// <summary>The <c>model:</c> keys of EASE.</summary>
    public static readonly OptionsBinder<EaseOptions> Binder = new OptionsBinder<EaseOptions>(new())
        .Float("reg_weight", o => o.Lambda, (o, v) => o with { Lambda = v }, "L2 weight λ on the item–item weights", min: 0, exclusiveMin: true);
}

/// <summary>
/// EASE: Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019. Closed form:
/// P = (XᵀX + λI)⁻¹, B = I − P·diag(1/diag(P)) with a zero diagonal; scores = X_u·B. Needs a dense
/// items × items matrix (4·items² bytes) and an O(items³) inverse.
/// </summary>
public sealed class Ease(InteractionLog train, EaseOptions? options = null) : IFittable
{
    /// <summary>The registration: <c>model: ease</c>.</summary>
    public static readonly ModelRegistration Registration = ModelRegistration.For("ease", "EASE (Steck, WWW 2019)", EaseOptions.Binder, (o, c) => new Ease(c.Split.Train, o));

    private readonly UserItems _history = train.ToUserItems();
    private float[] _b = [];

    /// <summary>The options.</summary>
    public EaseOptions Options { get; } = options ?? new EaseOptions();

    /// <inheritdoc />
    public string Name => "ease";

    /// <inheritdoc />
    public int UserCount { get; } = train.UserCount;

    /// <inheritdoc />
    public int ItemCount { get; } = train.ItemCount;

    /// <inheritdoc />
    public void Fit()
    {
        if (!(Options.Lambda > 0)) throw new ArgumentOutOfRangeException(nameof(Options), Options.Lambda, "EASE needs λ > 0.");
        int n = ItemCount;
        var g = new float[(long)n * n];
        // G = XᵀX over binary interactions, one outer product per user, parallel over row stripes.
        var byItem = Cosine.Transpose(_history, n);
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Blas.ThreadCount }, i =>
        {
            var row = g.AsSpan(i * n, n);
            foreach (int u in byItem.Of(i))
                foreach (int j in _history.Of(u)) row[j] += 1f;
            row[i] += Options.Lambda;
        });
        SpdInverse.Invert(g, n);
        var diag = new float[n];
        for (int j = 0; j < n; j++) diag[j] = g[(long)j * n + j];
        for (int i = 0; i < n; i++)
        {
            var row = g.AsSpan(i * n, n);
            for (int j = 0; j < n; j++) row[j] = i == j ? 0f : -row[j] / diag[j];
        }
        _b = g;
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> users, ScoringContext context, Span<float> scores)
    {
        ScoreArgs.Check(users, UserCount, ItemCount, scores.Length);
        scores.Clear();
        int n = ItemCount;
        for (int k = 0; k < users.Length; k++)
        {
            var row = scores.Slice(k * n, n);
            foreach (int i in _history.Of(users[k])) TensorPrimitives.Add(row, _b.AsSpan(i * n, n), row);
        }
    }

    /// <inheritdoc />
    public void Save(string path) => SafeTensors.Save(path, [new("B", Tensor.FromArray(_b, ItemCount, ItemCount))], new Dictionary<string, string> { ["model"] = Name });

    /// <inheritdoc />
    public void Load(string path) => _b = ClassicState.Floats(path, "B", ItemCount * ItemCount);
}
