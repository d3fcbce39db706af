namespace EmbedRec.Tensors.Optim;

/// <summary>A learning rate as a function of the epoch (0-based) and the base rate.</summary>
public abstract record LearningRateSchedule
{
    /// <summary>The learning rate for <paramref name="epoch"/>.</summary>
    public abstract float At(int epoch, float baseRate);

    /// <summary>Sets <paramref name="optimizer"/>'s learning rate for <paramref name="epoch"/>.</summary>
    public void Apply(Optimizer optimizer, int epoch, float baseRate)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        optimizer.LearningRate = At(epoch, baseRate);
    }
}

/// <summary>Cosine annealing from the base rate to <see cref="EtaMin"/> over <see cref="TMax"/> epochs (PyTorch's CosineAnnealingLR, closed form).</summary>
public sealed record CosineSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public CosineSchedule(int tMax, float etaMin = 0f)
    {
        if (tMax <= 0) throw new ArgumentOutOfRangeException(nameof(tMax), tMax, "T_max must be positive.");
        TMax = tMax;
        EtaMin = etaMin;
    }

    /// <summary>Half-period in epochs.</summary>
    public int TMax { get; }

    /// <summary>Lowest rate.</summary>
    public float EtaMin { get; }

    /// <inheritdoc />
    public override float At(int epoch, float baseRate) =>
        EtaMin + (baseRate - EtaMin) * (1f + MathF.Cos(MathF.PI * epoch / TMax)) / 2f;
}

/// <summary>Multiplies the rate by <see cref="Gamma"/> every <see cref="StepSize"/> epochs (PyTorch's StepLR).</summary>
public sealed record StepSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public StepSchedule(int stepSize, float gamma = 0.1f)
    {
        if (stepSize <= 0) throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "Step size must be positive.");
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>Decay factor.</summary>
    public float Gamma { get; }

    /// <inheritdoc />
    public override float At(int epoch, float baseRate) => baseRate * MathF.Pow(Gamma, epoch / StepSize);
}

/// <summary>Multiplies the rate by <see cref="Gamma"/> every epoch (PyTorch's ExponentialLR).</summary>
public sealed record ExponentialSchedule(float Gamma) : LearningRateSchedule
{
    /// <inheritdoc />
    public override float At(int epoch, float baseRate) => baseRate * MathF.Pow(Gamma, epoch);
}
