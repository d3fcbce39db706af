using EmbedRec.Tensors.Sparse;

namespace EmbedRec.Tensors.Optim;

/// <summary>A smoothed parameter group: parameters whose rows are concatenated (in order) into the graph's nodes.</summary>
/// <param name="Parameters">2-D parameters of equal width, e.g. [users; items].</param>
/// <param name="Graph">The normalized graph Ã over the concatenated rows.</param>
public sealed record SevoGroup(IReadOnlyList<Tensor> Parameters, CsrMatrix<float> Graph);

/// <summary>
/// SEvo (Structure-aware Embedding Evolution; NeurIPS 2024, journal version) as a wrapper over any optimizer
/// that exposes its update direction (SGD, Adam, AdamW, ...), exactly as SPEC §3.2 states the authors' code.
/// For each smoothed group at step t the inner optimizer computes every member's direction Δ (advancing its
/// own state, applying its decoupled decay; with the moment correction, Adam-family rows without gradient use
/// their bias-corrected moments), the group's Δ rows are concatenated, smoothed by ψ̂ over the graph, and
/// applied: p ← p − lr·ψ̂(Δ). Parameters outside groups get the inner optimizer's own update. The state is the
/// inner optimizer's, keyed by parameter name. With β = 0 and the correction off, SEvo-AdamW equals AdamW.
/// </summary>
public sealed class SevoOptimizer : Optimizer
{
    private readonly Optimizer _inner;
    private readonly (SevoTransform Transform, int[] Indices, int Width)[] _groups;
    private readonly int[] _groupOf; // parameter index → group index or −1
    private float[]? _delta, _smoothed;

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="groups"/> name which of its parameters are smoothed.</summary>
    public SevoOptimizer(Optimizer inner, IReadOnlyList<SevoGroup> groups, SevoOptions sevo)
        : base((inner ?? throw new ArgumentNullException(nameof(inner))).ParameterNames.Zip(inner.Parameters, (n, p) => new KeyValuePair<string, Tensor>(n, p)), inner.LearningRate)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(sevo);
        sevo.Validate();
        Sevo = sevo;
        _inner = inner;
        _groupOf = Enumerable.Repeat(-1, Parameters.Count).ToArray();
        var list = new List<(SevoTransform, int[], int)>();
        for (int gi = 0; gi < groups.Count; gi++)
        {
            var g = groups[gi];
            if (g.Parameters.Count == 0) throw new ArgumentException($"SEvo group {gi} has no parameters.");
            int width = g.Parameters[0].Rank == 2 ? g.Parameters[0].Dim(1) : -1;
            int rows = 0;
            var idx = new int[g.Parameters.Count];
            for (int k = 0; k < g.Parameters.Count; k++)
            {
                var p = g.Parameters[k];
                if (p.Rank != 2 || p.Dim(1) != width) throw new ArgumentException($"SEvo group {gi}: {p.Describe()} is not 2-D with width {width} like the group's first parameter.");
                int at = -1;
                for (int i = 0; i < Parameters.Count; i++) if (ReferenceEquals(Parameters[i], p)) at = i;
                if (at < 0) throw new ArgumentException($"SEvo group {gi}: {p.Describe()} is not among the optimizer's parameters (is it frozen?).");
                if (_groupOf[at] >= 0) throw new ArgumentException($"{p.Describe()} is in two SEvo groups.");
                _groupOf[at] = gi;
                idx[k] = at;
                rows += p.Dim(0);
            }
            if (g.Graph.RowCount != rows)
                throw new ArgumentException($"SEvo group {gi}: the graph has {g.Graph.RowCount} nodes but the group's parameters have {rows} rows in all.");
            list.Add((new SevoTransform(g.Graph, sevo), idx, width));
        }
        _groups = [.. list];
    }

    /// <summary>SEvo's options.</summary>
    public SevoOptions Sevo { get; }

    /// <summary>The wrapped optimizer.</summary>
    public Optimizer Inner => _inner;

    /// <inheritdoc />
    protected internal override void Update(int index, Tensor p, int step)
    {
        _inner.LearningRate = LearningRate;
        int gi = _groupOf[index];
        if (gi < 0)
        {
            _inner.UpdateAt(index, step);
            return;
        }
        var (transform, indices, width) = _groups[gi];
        if (indices[0] != index) return; // the whole group is updated with its first parameter
        int total = transform.Nodes * width;
        if (_delta is null || _delta.Length < total) { _delta = new float[total]; _smoothed = new float[total]; }
        var delta = _delta.AsSpan(0, total);
        int offset = 0;
        foreach (int pi in indices)
        {
            int size = Parameters[pi].Size;
            _inner.DirectionAt(pi, step, delta.Slice(offset, size), width, Sevo.MomentCorrection);
            offset += size;
        }
        var smoothed = _smoothed!.AsSpan(0, total);
        transform.Apply(delta, smoothed, width);
        offset = 0;
        foreach (int pi in indices)
        {
            var data = Parameters[pi].Span;
            TensorPrimitives.MultiplyAdd(smoothed.Slice(offset, data.Length), -LearningRate, data, data);
            offset += data.Length;
        }
    }

    /// <inheritdoc />
    public override IReadOnlyList<KeyValuePair<string, float[]>> ExportState() => _inner.ExportState();

    /// <inheritdoc />
    protected internal override void ImportBuffer(string kind, int index, float[] values) => _inner.ImportBuffer(kind, index, values);
}
