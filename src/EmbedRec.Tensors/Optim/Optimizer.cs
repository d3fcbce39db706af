namespace EmbedRec.Tensors.Optim;

/// <summary>
/// Base of the optimizers: a fixed list of parameters, a learning rate the schedules may change,
/// and the merging of dense and row-sparse gradients. A parameter with neither gradient is skipped
/// by a step, as in PyTorch.
/// </summary>
public abstract class Optimizer
{
    private readonly float[]?[] _scratch;

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    protected Optimizer(IEnumerable<Tensor> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToList();
        if (Parameters.Count == 0) throw new ArgumentException("An optimizer needs at least one parameter.");
        var dup = Parameters.GroupBy(p => p, ReferenceEqualityComparer.Instance).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"Parameter {((Tensor)dup.Key!).Describe()} is given twice.");
        foreach (var p in Parameters)
            if (!p.IsLeaf || !p.RequiresGrad) throw new ArgumentException($"{p.Describe()} is not a leaf that requires grad.");
        CheckNonNegative(learningRate, "learning rate");
        LearningRate = learningRate;
        _scratch = new float[Parameters.Count][];
    }

    /// <summary>The parameters, in order.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The current learning rate.</summary>
    public float LearningRate { get; set; }

    /// <summary>Steps taken so far.</summary>
    public int StepCount { get; private set; }

    /// <summary>
    /// The optimizer's buffers by name (e.g. "m.3" for the first moment of parameter 3) and its step
    /// count, for checkpoints that resume training exactly.
    /// </summary>
    public virtual IReadOnlyList<KeyValuePair<string, float[]>> ExportState() => [];

    /// <summary>Restores what <see cref="ExportState"/> returned; lengths are checked against the parameters.</summary>
    public void ImportState(IReadOnlyDictionary<string, float[]> state, int stepCount)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        foreach (var (name, values) in state)
        {
            int dot = name.LastIndexOf('.');
            if (dot < 0 || !int.TryParse(name[(dot + 1)..], out int index) || (uint)index >= (uint)Parameters.Count)
                throw new InvalidDataException($"Optimizer state '{name}' does not name a parameter index.");
            if (values.Length != Parameters[index].Size)
                throw new InvalidDataException($"Optimizer state '{name}' has {values.Length} values; parameter {index} has {Parameters[index].Size}.");
            ImportBuffer(name[..dot], index, values);
        }
        StepCount = stepCount;
    }

    /// <summary>Restores one named buffer of parameter <paramref name="index"/>.</summary>
    protected virtual void ImportBuffer(string kind, int index, float[] values) =>
        throw new InvalidDataException($"{GetType().Name} has no state '{kind}'.");

    /// <summary>Zeroes every parameter's dense and sparse gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    /// <summary>Applies one update from the accumulated gradients.</summary>
    public void Step()
    {
        StepCount++;
        using var _ = GradMode.NoGrad();
        for (int i = 0; i < Parameters.Count; i++) Update(i, Parameters[i], StepCount);
    }

    /// <summary>Updates parameter <paramref name="index"/> at step <paramref name="step"/> (1-based).</summary>
    protected internal abstract void Update(int index, Tensor parameter, int step);

    /// <summary>Updates one parameter as part of another optimizer's step (used by wrappers such as SEvo).</summary>
    internal void UpdateAt(int index, int step)
    {
        using var _ = GradMode.NoGrad();
        Update(index, Parameters[index], step);
    }

    /// <summary>True when the parameter holds a non-empty row-sparse gradient and no dense one.</summary>
    protected static bool HasOnlySparse(Tensor p) => p.SparseGrad is { Count: > 0 } && p.Grad is null;

    /// <summary>
    /// The full gradient as a dense span (dense part plus the scattered sparse part), or an empty
    /// span when the parameter received no gradient.
    /// </summary>
    protected ReadOnlySpan<float> DenseGradient(int index, Tensor p)
    {
        bool sparse = p.SparseGrad is { Count: > 0 };
        if (!sparse) return p.Grad is null ? ReadOnlySpan<float>.Empty : p.Grad.Span;
        var buf = _scratch[index] ??= new float[p.Size];
        if (p.Grad is null) Array.Clear(buf); else p.Grad.Span.CopyTo(buf);
        p.SparseGrad!.AddTo(buf);
        return buf;
    }

    /// <summary>Throws unless <paramref name="value"/> ≥ 0 and finite.</summary>
    protected static void CheckNonNegative(float value, string name)
    {
        if (!(value >= 0f) || float.IsInfinity(value)) throw new ArgumentOutOfRangeException(name, value, $"The {name} must be a finite non-negative number.");
    }

    /// <summary>Throws unless 0 ≤ <paramref name="value"/> &lt; 1.</summary>
    protected static void CheckUnit(float value, string name)
    {
        if (!(value >= 0f && value < 1f)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");
    }
}
