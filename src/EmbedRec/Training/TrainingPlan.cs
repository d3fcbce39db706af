using EmbedRec.Objectives;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Optim;

namespace EmbedRec.Training;

/// <summary>How a trainable model is trained: its objective, how to build the optimizer over the trainable parameters, and what initialized it.</summary>
/// <param name="Objective">The objective (batches and loss).</param>
/// <param name="CreateOptimizer">Builds the optimizer over the named trainable parameters.</param>
/// <param name="Initializer">What filled the embedding tables before training ("model" when the model's own initialization was kept).</param>
/// <param name="Optimizer">One line describing the optimizer, for the run's records.</param>
public sealed record TrainingPlan(ITrainingObjective Objective, Func<IReadOnlyList<KeyValuePair<string, Tensor>>, Optimizer> CreateOptimizer,
    string Initializer = "model", string Optimizer = "");
