using EmbedRec.Config;
using EmbedRec.Evaluation;
using EmbedRec.Initializers;
using EmbedRec.Models;
using EmbedRec.Objectives;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Kernels;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Tests.Extensibility;

/// <summary>Options of the toy model, with their defaults written once.</summary>
public sealed record ToyOptions
{
    public int Dim { get; init; } = 8;

    public float Dropout { get; init; } = 0.5f;

    public static readonly OptionsBinder<ToyOptions> Binder = new OptionsBinder<ToyOptions>(new())
        .Int("dim", o => o.Dim, (o, v) => o with { Dim = v }, "embedding size", min: 1)
        .Float("dropout", o => o.Dropout, (o, v) => o with { Dropout = v }, "dropout on the user row when training", min: 0, max: 0.99f);
}

/// <summary>
/// A model defined entirely in the test assembly: score = dropout(e_u)·e_i + b_i, with a padding row 0 in its item
/// table (item i at row i + 1) so the row map matters. It records the network's mode whenever it scores.
/// </summary>
public sealed class ToyModel : ITrainable, IEmbeddingTables
{
    public static readonly ModelRegistration Registration = ModelRegistration.For("toy", "a test-only dot product with item bias and dropout",
        ToyOptions.Binder, (o, c) => new ToyModel(c.Split.UserCount, c.Split.ItemCount, o, c.Rng), defaultObjective: "toy_pointwise");

    private readonly Net _net;

    public ToyModel(int users, int items, ToyOptions options, Rng rng)
    {
        UserCount = users;
        ItemCount = items;
        _net = new Net(users, items, options, rng);
    }

    public string Name => "toy";

    public int UserCount { get; }

    public int ItemCount { get; }

    public Module Network => _net;

    public List<bool> ModesSeenWhenScoring { get; } = [];

    public IReadOnlyList<EmbeddingTable> Tables =>
        [EmbeddingTable.Users("user.weight", _net.User.Weight, UserCount), EmbeddingTable.Items("item.weight", _net.Item.Weight, ItemCount, first: 1)];

    /// <summary>Logits of (user, item) pairs with gradients recorded.</summary>
    public Tensor Logits(int[] users, int[] items)
    {
        var u = _net.Drop.Forward(_net.User.Forward(users));
        var rows = items.Select(i => i + 1).ToArray();
        return Ops.Add(Ops.RowDot(u, _net.Item.Forward(rows)), Ops.Reshape(Ops.Gather(Ops.Reshape(_net.Bias, ItemCount, 1), items), items.Length));
    }

    public void PrepareForScoring() { }

    public void Score(ReadOnlySpan<int> users, ScoringContext context, Span<float> scores)
    {
        if (scores.Length != users.Length * ItemCount) throw new ArgumentException("Score buffer has the wrong size.");
        ModesSeenWhenScoring.Add(_net.Training);
        using var _ = GradMode.NoGrad();
        var u = _net.Drop.Forward(_net.User.Forward(users.ToArray())).ToArray();
        var items = _net.Item.Weight.Span[(Dim)..];
        Blas.Current.Sgemm(false, true, users.Length, ItemCount, Dim, 1f, u, Dim, items, Dim, 0f, scores, ItemCount);
        var bias = _net.Bias.Span;
        for (int k = 0; k < users.Length; k++)
            for (int i = 0; i < ItemCount; i++) scores[k * ItemCount + i] += bias[i];
    }

    private int Dim => _net.User.Weight.Dim(1);

    public void Save(string path) => _net.Save(path);

    public void Load(string path) => _net.Load(path);

    private sealed class Net : Module
    {
        public Net(int users, int items, ToyOptions o, Rng rng)
        {
            User = RegisterModule("user", new Embedding(users, o.Dim, rng));
            Item = RegisterModule("item", new Embedding(items + 1, o.Dim, rng));
            Tensors.Nn.Init.Normal(User.Weight, rng, 0, 0.1f);
            Tensors.Nn.Init.Normal(Item.Weight, rng, 0, 0.1f);
            Item.Weight.Span[..o.Dim].Clear(); // the padding row
            Bias = RegisterParameter("bias", Tensor.Zeros(items));
            Drop = RegisterModule("drop", new Dropout(o.Dropout, rng));
        }

        public Embedding User { get; }
        public Embedding Item { get; }
        public Tensor Bias { get; }
        public Dropout Drop { get; }
    }
}

/// <summary>A batch type of the test's own: (user, item, label) triples.</summary>
public sealed class ToyBatch(int capacity)
{
    public int[] Users { get; } = new int[capacity];
    public int[] Items { get; } = new int[capacity];
    public float[] Labels { get; } = new float[capacity];
    public int Count { get; set; }

    public void CopyTo(ToyBatch into)
    {
        Array.Copy(Users, into.Users, Count);
        Array.Copy(Items, into.Items, Count);
        Array.Copy(Labels, into.Labels, Count);
        into.Count = Count;
    }
}

public sealed record ToyObjectiveOptions
{
    public int Negatives { get; init; } = 1;

    public static readonly OptionsBinder<ToyObjectiveOptions> Binder = new OptionsBinder<ToyObjectiveOptions>(new())
        .Int("negatives", o => o.Negatives, (o, v) => o with { Negatives = v }, "random items labelled 0 per positive", min: 1);
}

/// <summary>Pointwise BCE over each training interaction and random items: an objective with its own batch type.</summary>
public sealed class ToyObjective : BatchObjective<ToyBatch>
{
    public static readonly ObjectiveRegistration Registration = ObjectiveRegistration.For<ToyObjectiveOptions, ToyModel>("toy_pointwise",
        "pointwise BCE on positives and random items", ToyObjectiveOptions.Binder, (o, m, c) => new ToyObjective(o, m, c));

    private readonly ToyModel _model;
    private readonly int[] _users, _items;
    private readonly int _itemCount, _batch, _negatives;

    public ToyObjective(ToyObjectiveOptions options, ToyModel model, ObjectiveContext context)
    {
        _model = model;
        _users = context.Split.Train.User;
        _items = context.Split.Train.Item;
        _itemCount = context.Split.ItemCount;
        _negatives = options.Negatives;
        _batch = context.BatchSize * (1 + options.Negatives);
    }

    public override string Name => "toy_pointwise";

    public override int StepsPerEpoch => (_users.Length * (1 + _negatives) + _batch - 1) / _batch;

    protected override IEnumerable<ToyBatch> Batches(Rng rng)
    {
        var order = Enumerable.Range(0, _users.Length).ToArray();
        rng.Shuffle(order.AsSpan());
        var b = new ToyBatch(_batch);
        foreach (int r in order)
        {
            for (int k = 0; k <= _negatives; k++)
            {
                b.Users[b.Count] = _users[r];
                b.Items[b.Count] = k == 0 ? _items[r] : rng.NextInt(_itemCount);
                b.Labels[b.Count] = k == 0 ? 1f : 0f;
                if (++b.Count == _batch) { yield return b; b.Count = 0; }
            }
        }
        if (b.Count > 0) yield return b;
    }

    protected override ToyBatch NewBatch() => new(_batch);

    protected override void Copy(ToyBatch from, ToyBatch into) => from.CopyTo(into);

    public override Tensor Loss(ToyBatch batch) =>
        Ops.BceWithLogits(_model.Logits(batch.Users[..batch.Count], batch.Items[..batch.Count]), Tensor.FromArray(batch.Labels[..batch.Count], batch.Count));
}

public sealed record ToyInitOptions
{
    public float Value { get; init; } = 0.05f;

    public static readonly OptionsBinder<ToyInitOptions> Binder = new OptionsBinder<ToyInitOptions>(new())
        .Float("value", o => o.Value, (o, v) => o with { Value = v }, "the value of every user and item entry");
}

/// <summary>Fills every user and item row with a constant (not padding rows): an initializer of the test's own.</summary>
public sealed class ToyInitializer(ToyInitOptions options) : IInitializer
{
    public static readonly InitializerRegistration Registration = InitializerRegistration.For("toy_constant", "a constant", ToyInitOptions.Binder, o => new ToyInitializer(o));

    public string Description => $"toy_constant({options.Value})";

    public void Initialize(IReadOnlyList<EmbeddingTable> tables, InitContext context)
    {
        var rng = context.Rng;
        foreach (var t in tables)
        {
            t.Weight.Span.Slice(t.FirstUserRow * t.Dim, t.UserRows * t.Dim).Fill(options.Value);
            var items = t.Weight.Span.Slice(t.FirstItemRow * t.Dim, t.ItemRows * t.Dim);
            for (int k = 0; k < items.Length; k++) items[k] = options.Value * (1 + (float)rng.NextDouble());
        }
    }
}
