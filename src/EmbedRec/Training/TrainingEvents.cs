namespace EmbedRec.Training;

/// <summary>Something the trainer reports; the library prints nothing, the CLI renders these.</summary>
public abstract record TrainingEvent;

/// <summary>Training of a model begins.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Epochs">Maximum epochs (0 for fitted models).</param>
/// <param name="BatchesPerEpoch">Batches per epoch.</param>
/// <param name="StartEpoch">First epoch (above 1 when resuming).</param>
public sealed record TrainingStarted(string Model, int Epochs, int BatchesPerEpoch, int StartEpoch) : TrainingEvent;

/// <summary>A batch finished.</summary>
public sealed record BatchCompleted(int Epoch, int Batch, float Loss) : TrainingEvent;

/// <summary>An epoch finished.</summary>
public sealed record EpochCompleted(EpochRecord Record) : TrainingEvent;

/// <summary>Training stopped early.</summary>
public sealed record EarlyStopped(int Epoch, int BestEpoch, string Metric, double Best) : TrainingEvent;

/// <summary>A block of users of a full-ranking evaluation was scored.</summary>
/// <param name="Part">Which held-out part is evaluated.</param>
/// <param name="UsersDone">Users scored so far (0 when the evaluation starts).</param>
/// <param name="UsersTotal">Users this evaluation ranks.</param>
public sealed record EvaluationProgressed(HeldOut Part, int UsersDone, int UsersTotal) : TrainingEvent;

/// <summary>A phase message (fitting, evaluating on test, ...).</summary>
public sealed record PhaseMessage(string Text) : TrainingEvent;

/// <summary>One row of the history.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Loss">Mean batch loss.</param>
/// <param name="Seconds">Wall time of the epoch's training.</param>
/// <param name="LearningRate">Learning rate used.</param>
/// <param name="Valid">Validation means when evaluated this epoch, else null.</param>
/// <param name="Erank">Effective rank of the item embeddings when tracked, else null.</param>
public sealed record EpochRecord(int Epoch, double Loss, double Seconds, float LearningRate, IReadOnlyDictionary<string, double>? Valid, double? Erank);

/// <summary>Training diverged (NaN or infinite loss).</summary>
public sealed class TrainingDivergedException(int epoch, int batch, float loss)
    : Exception($"The loss became {loss} at epoch {epoch}, batch {batch}; lower the learning rate or add gradient clipping.")
{
    /// <summary>Epoch (1-based).</summary>
    public int Epoch { get; } = epoch;

    /// <summary>Batch within the epoch (1-based).</summary>
    public int Batch { get; } = batch;
}
