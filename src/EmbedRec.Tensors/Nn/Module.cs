using EmbedRec.Tensors.Serialization;

namespace EmbedRec.Tensors.Nn;

/// <summary>
/// Base class of neural-network modules: explicit registration of parameters, buffers and child
/// modules (no reflection), dotted names as in PyTorch (<c>block.attn.in_proj_weight</c>),
/// train/eval mode, and state dicts saved to and loaded from safetensors files.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Value)> _parameters = [];
    private readonly List<(string Name, Tensor Value)> _buffers = [];
    private readonly List<(string Name, Module Value)> _children = [];

    /// <summary>True in training mode (dropout active, batch statistics used).</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a trainable parameter; sets <see cref="Tensor.RequiresGrad"/>.</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        CheckName(name);
        value.RequiresGrad = true;
        value.Name ??= name;
        _parameters.Add((name, value));
        return value;
    }

    /// <summary>Registers non-trainable state saved with the module (e.g. running statistics).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        CheckName(name);
        value.Name ??= name;
        _buffers.Add((name, value));
        return value;
    }

    /// <summary>Registers a child module under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        _children.Add((name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.'))
            throw new ArgumentException($"Module member name '{name}' must be non-empty and contain no dot.");
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(p => p.Name == name) || _children.Any(c => c.Name == name))
            throw new ArgumentException($"Module member name '{name}' is registered twice.");
    }

    /// <summary>Every parameter with its dotted name, depth first in registration order.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters(string prefix = "")
    {
        foreach (var (n, p) in _parameters) yield return new(prefix + n, p);
        foreach (var (n, c) in _children)
            foreach (var kv in c.NamedParameters(prefix + n + ".")) yield return kv;
    }

    /// <summary>Every buffer with its dotted name.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers(string prefix = "")
    {
        foreach (var (n, b) in _buffers) yield return new(prefix + n, b);
        foreach (var (n, c) in _children)
            foreach (var kv in c.NamedBuffers(prefix + n + ".")) yield return kv;
    }

    /// <summary>Every parameter.</summary>
    public IReadOnlyList<Tensor> Parameters() => NamedParameters().Select(kv => kv.Value).ToList();

    /// <summary>Parameters and buffers by dotted name.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> StateDict() => NamedParameters().Concat(NamedBuffers()).ToList();

    /// <summary>Sets training mode on this module and its children.</summary>
    public void Train(bool training = true)
    {
        Training = training;
        foreach (var (_, c) in _children) c.Train(training);
    }

    /// <summary>Sets evaluation mode.</summary>
    public void Eval() => Train(false);

    /// <summary>Zeroes every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into this module's parameters and buffers.
    /// Strict loading requires exactly the same names; shapes must always match.
    /// </summary>
    public void LoadStateDict(IEnumerable<KeyValuePair<string, Tensor>> state, bool strict = true, string source = "state dict")
    {
        var mine = StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
        var given = state.ToDictionary(kv => kv.Key, kv => kv.Value);
        if (strict)
        {
            var missing = mine.Keys.Except(given.Keys).ToList();
            var unexpected = given.Keys.Except(mine.Keys).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new InvalidDataException($"{source} does not match {GetType().Name}: " +
                    (missing.Count > 0 ? $"missing [{string.Join(", ", missing)}]" : "") +
                    (missing.Count > 0 && unexpected.Count > 0 ? "; " : "") +
                    (unexpected.Count > 0 ? $"unexpected [{string.Join(", ", unexpected)}]" : "") + ".");
        }
        foreach (var (name, src) in given)
        {
            if (!mine.TryGetValue(name, out var dst)) continue;
            if (!ShapeUtil.Equal(src.Shape, dst.Shape))
                throw new InvalidDataException($"{source}: '{name}' has shape {src.ShapeString}, {GetType().Name} expects {dst.ShapeString}.");
            src.Span.CopyTo(dst.Span);
        }
    }

    /// <summary>Saves the state dict as a safetensors file (atomically).</summary>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null) => SafeTensors.Save(path, StateDict(), metadata);

    /// <summary>Loads a safetensors file written by <see cref="Save"/> (or by PyTorch), checking names, dtypes and shapes.</summary>
    public void Load(string path, bool strict = true)
    {
        var (entries, _) = SafeTensors.Read(path);
        var mine = StateDict().Select(kv => kv.Key).ToHashSet();
        foreach (var e in entries)
            if (e.Tensor is null && (mine.Contains(e.Name) || strict))
                throw new InvalidDataException($"'{path}': tensor '{e.Name}' has dtype {e.DType}; EmbedRec loads F32 only.");
        LoadStateDict(entries.Where(e => e.Tensor is not null).Select(e => new KeyValuePair<string, Tensor>(e.Name, e.Tensor!)), strict, $"'{path}'");
    }
}
