using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Evaluation;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Serialization;

namespace EmbedRec.Models;

/// <summary>Most-popular baseline: every user gets items ranked by their training interaction count.</summary>
public sealed class Popularity(InteractionLog train) : IFittable
{
    /// <summary>The registration: <c>model: pop</c>.</summary>
    public static readonly ModelRegistration Registration = ModelRegistration.For("pop", "most popular items", NoOptions.Binder,
        (_, c) => new Popularity(c.Split.Train), aliases: ["popularity"], contract: new ContractSettings(new Dictionary<string, string>(), BeatsPopularity: false));

    private float[] _counts = new float[train.ItemCount];

    /// <inheritdoc />
    public string Name => "pop";

    /// <inheritdoc />
    public int UserCount { get; } = train.UserCount;

    /// <inheritdoc />
    public int ItemCount { get; } = train.ItemCount;

    /// <inheritdoc />
    public void Fit()
    {
        _counts = train.ItemCounts().Select(c => (float)c).ToArray();
    }

    /// <inheritdoc />
    public void Score(ReadOnlySpan<int> users, ScoringContext context, Span<float> scores)
    {
        ScoreArgs.Check(users, UserCount, ItemCount, scores.Length);
        for (int k = 0; k < users.Length; k++) _counts.CopyTo(scores.Slice(k * ItemCount, ItemCount));
    }

    /// <inheritdoc />
    public void Save(string path) => SafeTensors.Save(path, [new("counts", Tensor.FromArray(_counts, _counts.Length))], new Dictionary<string, string> { ["model"] = Name });

    /// <inheritdoc />
    public void Load(string path) => _counts = ClassicState.Floats(path, "counts", ItemCount);
}

/// <summary>Reading classic models' checkpoints with checks.</summary>
internal static class ClassicState
{
    public static Dictionary<string, SafeTensors.Entry> Read(string path) => SafeTensors.Read(path).Entries.ToDictionary(e => e.Name);

    public static float[] Floats(string path, string name, int expected = -1) => Floats(Read(path), path, name, expected);

    public static float[] Floats(Dictionary<string, SafeTensors.Entry> e, string path, string name, int expected = -1)
    {
        if (!e.TryGetValue(name, out var entry) || entry.Tensor is null) throw new InvalidDataException($"'{path}' has no F32 tensor '{name}'.");
        var v = entry.Tensor.ToArray();
        if (expected >= 0 && v.Length != expected) throw new InvalidDataException($"'{path}': '{name}' has {v.Length} values, the model expects {expected}.");
        return v;
    }

    public static int[] Ints(Dictionary<string, SafeTensors.Entry> e, string path, string name)
    {
        if (!e.TryGetValue(name, out var entry) || entry.Ints is null) throw new InvalidDataException($"'{path}' has no I32 tensor '{name}'.");
        return entry.Ints;
    }
}

/// <summary>Argument checks shared by the models' Score methods.</summary>
internal static class ScoreArgs
{
    public static void Check(ReadOnlySpan<int> users, int userCount, int itemCount, int bufferLength)
    {
        if (bufferLength != users.Length * itemCount)
            throw new ArgumentException($"Score buffer of {bufferLength} floats for {users.Length} users × {itemCount} items.");
        foreach (int u in users)
            if ((uint)u >= (uint)userCount) throw new ArgumentException($"User {u} is outside the model's {userCount} users.");
    }
}
