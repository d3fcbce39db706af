using EmbedRec.Config;
using EmbedRec.Evaluation;
using EmbedRec.Data;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Tensors.Serialization;

namespace EmbedRec.Models;

/// <summary>Options of <see cref="ItemKnn"/> and <see cref="UserKnn"/> (RecBole's defaults).</summary>
public sealed record KnnOptions
{
    /// <summary>Neighbours kept per item (ItemKNN) or user (UserKNN).</summary>
    public int K { get; init; } = 100;

    /// <summary>Shrinkage added to the cosine denominator, damping similarities built on few co-occurrences.</summary>
    public float Shrink { get; init; }

    /// <summary>The <c>model:</c> keys of ItemKNN and UserKNN.</summary>
    public static readonly OptionsBinder<KnnOptions> Binder = new OptionsBinder<KnnOptions>(new())
        .Int("k", o => o.K, (o, v) => o with { K = v }, "neighbours kept per item (itemknn) or user (userknn)", min: 1)
        .Float("shrink", o => o.Shrink, (o, v) => o with { Shrink = v }, "shrinkage added to the cosine denominator", min: 0);
}

/// <summary>
/// Sparse similarity rows: for each row node, its kept neighbours and weights (CSR), and the top-k
/// cosine computation shared by the KNN models. sim(a, b) = |N(a) ∩ N(b)| / (√|N(a)|·√|N(b)| + shrink).
/// </summary>
internal static class Cosine
{
    /// <summary>For each node of <paramref name="sets"/>'s row side, its top-k most similar nodes (excluding itself), ties by lower id.</summary>
    public static (int[] Ptr, int[] Idx, float[] Val) TopK(UserItems sets, UserItems transposed, int k, float shrink)
    {
        int n = sets.UserCount;
        var lists = new (int[] Idx, float[] Val)[n];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Blas.ThreadCount },
            () => (Acc: new float[n], Touched: new List<int>()),
            (a, _, st) =>
            {
                var (acc, touched) = st;
                touched.Clear();
                foreach (int mid in sets.Of(a))
                    foreach (int b in transposed.Of(mid))
                    {
                        if (b == a) continue;
                        if (acc[b] == 0) touched.Add(b);
                        acc[b] += 1;
                    }
                float na = MathF.Sqrt(sets.Degree(a));
                var cand = new (float Sim, int Node)[touched.Count];
                for (int t = 0; t < touched.Count; t++)
                {
                    int b = touched[t];
                    cand[t] = (acc[b] / (na * MathF.Sqrt(sets.Degree(b)) + shrink), b);
                    acc[b] = 0;
                }
                Array.Sort(cand, (x, y) => x.Sim != y.Sim ? y.Sim.CompareTo(x.Sim) : x.Node.CompareTo(y.Node));
                int keep = Math.Min(k, cand.Length);
                lists[a] = (cand[..keep].Select(c => c.Node).ToArray(), cand[..keep].Select(c => c.Sim).ToArray());
                return st;
            }, _ => { });
        var ptr = new int[n + 1];
        for (int a = 0; a < n; a++) ptr[a + 1] = ptr[a] + lists[a].Idx.Length;
        var idx = new int[ptr[n]];
        var val = new float[ptr[n]];
        for (int a = 0; a < n; a++) { lists[a].Idx.CopyTo(idx, ptr[a]); lists[a].Val.CopyTo(val, ptr[a]); }
        return (ptr, idx, val);
    }

    public static UserItems Transpose(UserItems sets, int columns)
    {
        var rows = new List<int>(sets.PairCount);
        var cols = new List<int>(sets.PairCount);
        for (int u = 0; u < sets.UserCount; u++) foreach (int i in sets.Of(u)) { rows.Add(i); cols.Add(u); }
        return UserItems.From(columns, rows.ToArray(), cols.ToArray());
    }

    public static void Save(string path, string model, int[] ptr, int[] idx, float[] val) =>
        SafeTensors.Save(path, [new("values", Tensor.FromArray(val, val.Length))], [new("row_ptr", ptr), new("indices", idx)],
            new Dictionary<string, string> { ["model"] = model });

    public static (int[], int[], float[]) Load(string path, int rows)
    {
        var e = ClassicState.Read(path);
        var ptr = ClassicState.Ints(e, path, "row_ptr");
        var idx = ClassicState.Ints(e, path, "indices");
        var val = ClassicState.Floats(e, path, "values", idx.Length);
        if (ptr.Length != rows + 1 || ptr[^1] != idx.Length) throw new InvalidDataException($"'{path}': row pointers do not match {rows} rows and {idx.Length} entries.");
        return (ptr, idx, val);
    }
}

/// <summary>
/// Item-based KNN (Sarwar et al., WWW 2001; Deshpande and Karypis, TOIS 2004) with cosine similarity and
/// shrinkage: score(u, j) = Σ over the user's items i that are among j's k nearest neighbours of sim(i, j).
/// </summary>
public sealed class ItemKnn(InteractionLog train, KnnOptions? options = null) : IFittable
{
    /// <summary>The registration: <c>model: itemknn</c>.</summary>
    public static readonly ModelRegistration Registration = ModelRegistration.For("itemknn", "item-based k-nearest neighbours, cosine", KnnOptions.Binder,
        (o, c) => new ItemKnn(c.Split.Train, o), contract: new ContractSettings(new Dictionary<string, string> { ["model.k"] = "30" }));

    private readonly UserItems _history = train.ToUserItems();
    // CSR over source items i: entries (j, sim) for every j that keeps i among its neighbours.
    private int[] _ptr = new int[train.ItemCount + 1], _idx = [];
    private float[] _val = [];

    /// <summary>The options.</summary>
    public KnnOptions Options { get; } = options ?? new KnnOptions();

    /// <inheritdoc />
    public string Name => "itemknn";

    /// <inheritdoc />
    public int UserCount { get; } = train.UserCount;

    /// <inheritdoc />
    public int ItemCount { get; } = train.ItemCount;

    /// <inheritdoc />
    public void Fit()
    {
        var byItem = Cosine.Transpose(_history, ItemCount);
        var (ptr, idx, val) = Cosine.TopK(byItem, _history, Options.K, Options.Shrink); // row j: its neighbours i
        // Transpose so that each source item i lists the targets j it contributes to.
        var counts = new int[ItemCount + 1];
        foreach (int i in idx) counts[i + 1]++;
        for (int i = 0; i < ItemCount; i++) counts[i + 1] += counts[i];
        var fill = (int[])counts.Clone();
        var tIdx = new int[idx.Length];
        var tVal = new float[idx.Length];
        for (int j = 0; j < ItemCount; j++)
            for (int p = ptr[j]; p < ptr[j + 1]; p++) { int at = fill[idx[p]]++; tIdx[at] = j; tVal[at] = val[p]; }
        (_ptr, _idx, _val) = (counts, tIdx, tVal);
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> users, ScoringContext context, Span<float> scores)
    {
        ScoreArgs.Check(users, UserCount, ItemCount, scores.Length);
        scores.Clear();
        for (int k = 0; k < users.Length; k++)
        {
            var row = scores.Slice(k * ItemCount, ItemCount);
            foreach (int i in _history.Of(users[k]))
                for (int p = _ptr[i]; p < _ptr[i + 1]; p++) row[_idx[p]] += _val[p];
        }
    }

    /// <inheritdoc />
    public void Save(string path) => Cosine.Save(path, Name, _ptr, _idx, _val);

    /// <inheritdoc />
    public void Load(string path) => (_ptr, _idx, _val) = Cosine.Load(path, ItemCount);
}

/// <summary>
/// User-based KNN (Resnick et al., CSCW 1994; Herlocker et al., SIGIR 1999) with cosine similarity and
/// shrinkage: score(u, j) = Σ over u's k nearest users v who interacted with j of sim(u, v).
/// </summary>
public sealed class UserKnn(InteractionLog train, KnnOptions? options = null) : IFittable
{
    /// <summary>The registration: <c>model: userknn</c>.</summary>
    public static readonly ModelRegistration Registration = ModelRegistration.For("userknn", "user-based k-nearest neighbours, cosine", KnnOptions.Binder,
        (o, c) => new UserKnn(c.Split.Train, o), contract: new ContractSettings(new Dictionary<string, string> { ["model.k"] = "30" }));

    private readonly UserItems _history = train.ToUserItems();
    private int[] _ptr = new int[train.UserCount + 1], _idx = [];
    private float[] _val = [];

    /// <summary>The options.</summary>
    public KnnOptions Options { get; } = options ?? new KnnOptions();

    /// <inheritdoc />
    public string Name => "userknn";

    /// <inheritdoc />
    public int UserCount { get; } = train.UserCount;

    /// <inheritdoc />
    public int ItemCount { get; } = train.ItemCount;

    /// <inheritdoc />
    public void Fit()
    {
        (_ptr, _idx, _val) = Cosine.TopK(_history, Cosine.Transpose(_history, ItemCount), Options.K, Options.Shrink);
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> users, ScoringContext context, Span<float> scores)
    {
        ScoreArgs.Check(users, UserCount, ItemCount, scores.Length);
        scores.Clear();
        for (int k = 0; k < users.Length; k++)
        {
            var row = scores.Slice(k * ItemCount, ItemCount);
            int u = users[k];
            for (int p = _ptr[u]; p < _ptr[u + 1]; p++)
                foreach (int i in _history.Of(_idx[p])) row[i] += _val[p];
        }
    }

    /// <inheritdoc />
    public void Save(string path) => Cosine.Save(path, Name, _ptr, _idx, _val);

    /// <inheritdoc />
    public void Load(string path) => (_ptr, _idx, _val) = Cosine.Load(path, UserCount);
}
