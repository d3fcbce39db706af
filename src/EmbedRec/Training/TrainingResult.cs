using EmbedRec.Evaluation;

namespace EmbedRec.Training;

/// <summary>What a training run produced.</summary>
/// <param name="Model">Model name.</param>
/// <param name="History">One record per epoch trained (empty for fitted models).</param>
/// <param name="BestEpoch">Epoch whose parameters were kept (0 for fitted models or without validation).</param>
/// <param name="Valid">Validation result of the kept parameters, or null without a validation split.</param>
/// <param name="Test">Test result (training and validation items excluded).</param>
/// <param name="TrainSeconds">Wall time of training or fitting.</param>
/// <param name="StoppedEarly">Whether early stopping ended training.</param>
public sealed record TrainingResult(string Model, IReadOnlyList<EpochRecord> History, int BestEpoch, EvaluationResult? Valid,
    EvaluationResult Test, double TrainSeconds, bool StoppedEarly)
{
    /// <summary>J(X)/‖X‖² of the final item embeddings over the item co-occurrence graph (embedding models), else null.</summary>
    public double? ItemSmoothness { get; init; }

    /// <summary>Effective rank of the final item embeddings (embedding models), else null.</summary>
    public double? ItemErank { get; init; }

    /// <summary>Singular values of the final item embeddings normalized to sum 1, largest first (embedding models), else null.</summary>
    public IReadOnlyList<double>? ItemSpectrum { get; init; }
}
