using EmbedRec.Data;
using EmbedRec.Tensors;

namespace EmbedRec.Initializers;

/// <summary>The cache round trip shared by the computed initializers: float32 tensors in, the same tensors out on a hit.</summary>
internal static class Spectral
{
    /// <summary>The tensors of <paramref name="compute"/> through the context's cache (keyed by the training data and the parameters), or computed when there is none.</summary>
    public static CachedTensors Cached(InitContext context, DataFingerprint? fingerprint, string method,
        Func<(IReadOnlyList<KeyValuePair<string, Tensor>>, IReadOnlyList<KeyValuePair<string, int[]>>, IReadOnlyDictionary<string, string>)> compute,
        params (string Name, object Value)[] parameters)
    {
        if (fingerprint is null || context.CacheDirectory is null)
        {
            var (t, i, m) = compute();
            return new CachedTensors(t.ToDictionary(p => p.Key, p => p.Value), i.ToDictionary(p => p.Key, p => p.Value), m, CacheOutcome.NoCache);
        }
        return new InitCache(context.CacheDirectory).GetOrCompute(InitCache.Key(fingerprint, method, parameters), compute, context.Cancel);
    }

    /// <summary>Row-major double matrices, eigen- or singular values and residuals, and the isolated nodes, as cache tensors.</summary>
    public static (IReadOnlyList<KeyValuePair<string, Tensor>>, IReadOnlyList<KeyValuePair<string, int[]>>, IReadOnlyDictionary<string, string>) Pack(
        IEnumerable<(string Name, double[] Data, int Rows, int Columns)> matrices, double[] values, double[] residuals, int[] isolated)
    {
        var tensors = matrices.Select(m => new KeyValuePair<string, Tensor>(m.Name, Tensor.FromArray(m.Data.Select(x => (float)x).ToArray(), m.Rows, m.Columns))).ToList();
        tensors.Add(new("values", Tensor.FromArray(values.Select(x => (float)x).ToArray(), values.Length)));
        tensors.Add(new("residuals", Tensor.FromArray(residuals.Select(x => (float)x).ToArray(), residuals.Length)));
        return (tensors, [new("isolated", isolated)], new Dictionary<string, string>());
    }

    /// <summary>The matrix <paramref name="name"/>, checked to be [rows, columns].</summary>
    public static float[] Matrix(CachedTensors t, string name, int rows, int columns)
    {
        if (!t.Tensors.TryGetValue(name, out var m) || m.Rank != 2 || m.Dim(0) != rows || m.Dim(1) != columns)
            throw new InvalidDataException($"The init cache entry has no '{name}' of shape [{rows}, {columns}] (it has {string.Join(", ", t.Tensors.Select(p => $"{p.Key} [{string.Join(", ", p.Value.Shape.ToArray())}]"))}).");
        return m.ToArray();
    }

    /// <summary>A side's report from its tensors.</summary>
    public static InitSideReport Report(CachedTensors t, string side, int nodes, int vectors, int isolated)
    {
        var values = t.Tensors["values"].ToArray();
        var residuals = t.Tensors["residuals"].ToArray();
        return new InitSideReport(side, nodes, vectors, isolated, values[0], values[^1], residuals.Max(), t.Outcome);
    }
}
