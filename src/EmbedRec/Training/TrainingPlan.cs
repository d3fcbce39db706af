using EmbedRec.Objectives;
using EmbedRec.Tensors;
using EmbedRec.Tensors.Optim;

namespace EmbedRec.Training;

/// <summary>How a trainable model is trained: its objective and how to build the optimizer over the trainable parameters.</summary>
/// <param name="Objective">The objective (batches and loss).</param>
/// <param name="CreateOptimizer">Builds the optimizer over the named trainable parameters.</param>
public sealed record TrainingPlan(ITrainingObjective Objective, Func<IReadOnlyList<KeyValuePair<string, Tensor>>, Optimizer> CreateOptimizer);
