using EmbedRec.Config;
using EmbedRec.Initializers;
using EmbedRec.Models;
using EmbedRec.Models.Sequential;
using EmbedRec.Objectives;

namespace EmbedRec.Training;

/// <summary>
/// The components a configuration can name: models, objectives, initializers and optimizers, each with
/// its options record. <see cref="Default"/> holds the built-ins; a caller (a test, an application)
/// adds its own to a copy, so a new model family is one folder plus one registration.
/// </summary>
public sealed class Registry
{
    private readonly List<ModelRegistration> _models = [];
    private readonly List<ObjectiveRegistration> _objectives = [];
    private readonly List<InitializerRegistration> _initializers = [];
    private readonly List<OptimizerRegistration> _optimizers = [];

    /// <summary>The built-in components.</summary>
    public static Registry Default { get; } = Builtins();

    private static Registry Builtins()
    {
        var r = new Registry();
        foreach (var m in new[] { Popularity.Registration, ItemKnn.Registration, UserKnn.Registration, Ease.Registration,
                     MatrixFactorization.Registration, LightGcn.Registration, NeuMf.Registration, Dlr2.Registration,
                     SasRec.Registration, Gru4Rec.Registration, Bert4Rec.Registration })
            r.Add(m);
        foreach (var o in new[] { PairwiseObjective.Bpr, PairwiseObjective.Bce, PairwiseObjective.Ce,
                     DirectSpecObjective.DirectSpec, DirectSpecObjective.DirectSpecPlus, DirectAuObjective.Registration, Dlr2Objective.Registration,
                     NextItemObjective.Registration, LastItemObjective.Registration, MaskedItemObjective.Registration })
            r.Add(o);
        foreach (var i in new[] { NormalInitializer.Registration, XavierInitializer.Registration, PretrainedInitializer.Registration,
                     SvdInitializer.Registration, BprInitializer.Registration, LeporidInitializer.LeRegistration, LeporidInitializer.Registration })
            r.Add(i);
        foreach (var o in new[] { BuiltinOptimizers.Adam, BuiltinOptimizers.AdamW, BuiltinOptimizers.Sgd }) r.Add(o);
        return r;
    }

    /// <summary>A copy to which more components can be added.</summary>
    public Registry Clone()
    {
        var r = new Registry();
        r._models.AddRange(_models);
        r._objectives.AddRange(_objectives);
        r._initializers.AddRange(_initializers);
        r._optimizers.AddRange(_optimizers);
        return r;
    }

    /// <summary>Registered models.</summary>
    public IReadOnlyList<ModelRegistration> Models => _models;

    /// <summary>Registered objectives.</summary>
    public IReadOnlyList<ObjectiveRegistration> Objectives => _objectives;

    /// <summary>Registered initializers.</summary>
    public IReadOnlyList<InitializerRegistration> Initializers => _initializers;

    /// <summary>Registered optimizers.</summary>
    public IReadOnlyList<OptimizerRegistration> Optimizers => _optimizers;

    /// <summary>Adds a model.</summary>
    public Registry Add(ModelRegistration model) => Add(_models, model);

    /// <summary>Adds an objective.</summary>
    public Registry Add(ObjectiveRegistration objective) => Add(_objectives, objective);

    /// <summary>Adds an initializer.</summary>
    public Registry Add(InitializerRegistration initializer) => Add(_initializers, initializer);

    /// <summary>Adds an optimizer.</summary>
    public Registry Add(OptimizerRegistration optimizer) => Add(_optimizers, optimizer);

    private Registry Add<T>(List<T> list, T item) where T : Component
    {
        ArgumentNullException.ThrowIfNull(item);
        foreach (var name in item.Aliases.Prepend(item.Name))
            if (list.Any(x => x.Answers(name))) throw new ArgumentException($"'{name}' is already registered.");
        list.Add(item);
        return this;
    }

    /// <summary>The model named <paramref name="name"/>; unknown names throw naming the known ones.</summary>
    public ModelRegistration Model(string name, string where = "config") => Find(_models, name, "model", where);

    /// <summary>The objective named <paramref name="name"/>.</summary>
    public ObjectiveRegistration Objective(string name, string where = "config") => Find(_objectives, name, "objective", where);

    /// <summary>The initializer named <paramref name="name"/>.</summary>
    public InitializerRegistration Initializer(string name, string where = "config") => Find(_initializers, name, "initializer", where);

    /// <summary>The optimizer named <paramref name="name"/>.</summary>
    public OptimizerRegistration Optimizer(string name, string where = "config") => Find(_optimizers, name, "optimizer", where);

    private static T Find<T>(List<T> list, string name, string what, string where) where T : Component
    {
        ArgumentNullException.ThrowIfNull(name);
        var hit = list.FirstOrDefault(x => x.Answers(name.Trim()));
        if (hit is not null) return hit;
        var names = list.Select(x => x.Name).ToList();
        var best = names.OrderBy(n => KeySuggestion.Distance(name, n)).FirstOrDefault();
        var hint = best is not null && KeySuggestion.Distance(name, best) <= Math.Max(2, name.Length / 3) ? $" Did you mean '{best}'?" : "";
        throw new FormatException($"{where}: unknown {what} '{name}'.{hint} {char.ToUpperInvariant(what[0])}{what[1..]}s: {string.Join(", ", names)}.");
    }
}
