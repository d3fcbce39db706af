using EmbedRec.Config;
using EmbedRec.Data;
using EmbedRec.Data.Splits;
using EmbedRec.Models;
using EmbedRec.Tensors;

namespace EmbedRec.Objectives;

/// <summary>What an objective is built from.</summary>
/// <param name="Split">The data split.</param>
/// <param name="Train">Training items per user.</param>
/// <param name="BatchSize">The run's <c>train_batch_size</c>.</param>
/// <param name="Rng">The run's generator, after the model and the initializer drew from it.</param>
public sealed record ObjectiveContext(DataSplit Split, UserItems Train, int BatchSize, Rng Rng);

/// <summary>A registered objective: its name, options record and how to build it for a model.</summary>
public sealed record ObjectiveRegistration : Component
{
    /// <summary>Declares an objective.</summary>
    public ObjectiveRegistration(string name, IReadOnlyList<string> aliases, string description, IOptionsBinder binder,
        Func<object, ITrainable, ObjectiveContext, ITrainingObjective> create) : base(name, aliases, description, binder) =>
        Create = create ?? throw new ArgumentNullException(nameof(create));

    /// <summary>Builds the objective for a model (throws naming the capability the model lacks).</summary>
    public Func<object, ITrainable, ObjectiveContext, ITrainingObjective> Create { get; }

    /// <summary>A registration for models of capability <typeparamref name="TModel"/> with typed options.</summary>
    public static ObjectiveRegistration For<TOptions, TModel>(string name, string description, OptionsBinder<TOptions> binder,
        Func<TOptions, TModel, ObjectiveContext, ITrainingObjective> create, IReadOnlyList<string>? aliases = null)
        where TOptions : class where TModel : class =>
        new(name, aliases ?? [], description, binder, (o, m, c) => create((TOptions)o,
            m as TModel ?? throw new ArgumentException($"Objective '{name}' needs a model that is {typeof(TModel).Name}; '{m.Name}' is not."), c));
}
