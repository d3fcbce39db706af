using EmbedRec.Tensors.Autograd;
using EmbedRec.Tensors.Memory;

namespace EmbedRec.Tensors;

/// <summary>
/// A dense float32 tensor: N-dimensional, contiguous, row-major, with reverse-mode autodiff.
/// </summary>
/// <remarks>
/// Leaves (tensors created by the user, such as parameters) own ordinary arrays and keep them.
/// Tensors produced by ops while gradients are recorded are graph intermediates: their buffers
/// come from <see cref="BufferPool.Shared"/> and go back to it when <see cref="Backward()"/>
/// releases the graph. After that an intermediate is <em>released</em> and reading it throws;
/// call <see cref="Retain"/> before backward (or <see cref="Detach"/> to copy) to keep one.
/// The tensor on which <see cref="Backward()"/> is called (usually the loss) is always kept.
/// </remarks>
public sealed partial class Tensor : IDisposable
{
    private float[] _data;
    private readonly int[] _shape;
    private bool _requiresGrad;

    internal Tensor(float[] data, int[] shape, bool ownsPooledBuffer)
    {
        _data = data;
        _shape = shape;
        Size = ShapeUtil.Size(shape);
        if (data.Length < Size)
            throw new ArgumentException($"A buffer of {data.Length} floats cannot hold shape {ShapeUtil.Format(shape)} ({Size} elements).");
        OwnsPooledBuffer = ownsPooledBuffer;
    }

    /// <summary>Number of elements.</summary>
    public int Size { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Length of dimension <paramref name="axis"/> (negative counts from the end).</summary>
    public int Dim(int axis) => _shape[ShapeUtil.NormalizeAxis(axis, Rank, nameof(Dim))];

    /// <summary>Optional name used in error messages and state dicts.</summary>
    public string? Name { get; set; }

    /// <summary>The shape as text, e.g. <c>[2, 3]</c>.</summary>
    public string ShapeString => ShapeUtil.Format(_shape);

    internal int[] ShapeArray => _shape;

    internal bool OwnsPooledBuffer { get; }

    internal bool Released { get; private set; }

    internal bool Retained { get; private set; }

    /// <summary>The backward node of an op output; null for leaves.</summary>
    internal Node? Node { get; set; }

    /// <summary>True for tensors not produced by a recorded op.</summary>
    public bool IsLeaf => Node is null;

    /// <summary>
    /// Whether gradients flow to this tensor. Settable on leaves; op outputs require grad when
    /// any input does and recording is on (see <see cref="GradMode"/>).
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad || Node is not null;
        set
        {
            if (Node is not null)
                throw new InvalidOperationException($"RequiresGrad can only be set on a leaf tensor; {Describe()} is the output of '{Node.Op}'.");
            _requiresGrad = value;
        }
    }

    /// <summary>Accumulated dense gradient (leaves keep it across backward passes until zeroed).</summary>
    public Tensor? Grad { get; internal set; }

    /// <summary>
    /// When true, a gather (embedding lookup) from this leaf accumulates a row-sparse gradient in
    /// <see cref="SparseGrad"/> instead of a dense <see cref="Grad"/>.
    /// </summary>
    public bool SparseGradients { get; set; }

    /// <summary>Accumulated row-sparse gradient, see <see cref="SparseGradients"/>.</summary>
    public RowSparseGradient? SparseGrad { get; internal set; }

    /// <summary>The elements (throws when the tensor was released with its graph).</summary>
    public Span<float> Span => Data.AsSpan(0, Size);

    /// <summary>The underlying array; may be longer than <see cref="Size"/> for views.</summary>
    internal float[] Data
    {
        get
        {
            if (Released)
                throw new InvalidOperationException(
                    $"{Describe()} was an intermediate of a graph that Backward() released, and its buffer went back to the pool. " +
                    "Call Retain() on it before Backward(), or Detach() to copy it.");
            return _data;
        }
    }

    internal float[] RawBuffer => _data;

    /// <summary>The single value of a one-element tensor.</summary>
    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Item() needs a one-element tensor; {Describe()} has {Size} elements.");
        return Data[0];
    }

    /// <summary>Element at a full index.</summary>
    [IndexerName("Element")]
    public float this[params int[] index]
    {
        get => Data[FlatIndex(index)];
        set => Data[FlatIndex(index)] = value;
    }

    private int FlatIndex(int[] index)
    {
        if (index.Length != Rank) throw new ArgumentException($"Index of rank {index.Length} for {Describe()}.");
        int flat = 0;
        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= (uint)_shape[i])
                throw new IndexOutOfRangeException($"Index {index[i]} is out of range for dimension {i} of {Describe()}.");
            flat = flat * _shape[i] + index[i];
        }
        return flat;
    }

    /// <summary>A copy of the elements.</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>Marks an intermediate so that its values survive the release of its graph.</summary>
    public Tensor Retain()
    {
        Retained = true;
        return this;
    }

    /// <summary>A new leaf holding a copy of the values, outside any graph.</summary>
    public Tensor Detach() => FromSpan(Span, _shape);

    /// <summary>Zeroes the accumulated gradient in place (keeps the buffer) and clears sparse gradients.</summary>
    public void ZeroGrad()
    {
        Grad?.Span.Clear();
        SparseGrad?.Clear();
    }

    /// <summary>Runs reverse-mode differentiation from this scalar (gradient 1).</summary>
    public void Backward() => Backward(null, false);

    /// <summary>Runs reverse-mode differentiation from this tensor with the given output gradient.</summary>
    /// <param name="gradient">dL/d(this), same shape; null means 1 for a one-element tensor.</param>
    /// <param name="retainGraph">Keep the graph (and its buffers) for another backward pass.</param>
    public void Backward(Tensor? gradient, bool retainGraph = false) => Backprop.Run(this, gradient, retainGraph);

    /// <summary>Returns a pooled buffer early. Only for tensors you own; using the tensor afterwards throws.</summary>
    public void Dispose()
    {
        if (Released) return;
        if (OwnsPooledBuffer) BufferPool.Shared.Return(_data);
        Released = true;
    }

    internal void Release()
    {
        if (Released) return;
        if (OwnsPooledBuffer && !Retained) BufferPool.Shared.Return(_data);
        if (!Retained) Released = true;
    }

    internal string Describe() => Name is null ? $"tensor {ShapeString}" : $"tensor '{Name}' {ShapeString}";

    /// <inheritdoc />
    public override string ToString()
    {
        if (Released) return $"{Describe()} (released)";
        var head = Span[..Math.Min(Size, 8)].ToArray();
        return $"Tensor{ShapeString} [{string.Join(", ", head.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}{(Size > 8 ? ", ..." : "")}]";
    }
}
