namespace EmbedRec.Tensors.Autograd;

/// <summary>
/// The backward step of one recorded op: its inputs, a function that receives the output's
/// gradient and accumulates into the inputs' gradients, and the pooled buffers it saved.
/// </summary>
internal sealed class Node
{
    public Node(string op, Tensor[] inputs, Action<Tensor> backward)
    {
        Op = op;
        Inputs = inputs;
        BackwardFn = backward;
    }

    public string Op { get; }

    public Tensor[] Inputs { get; private set; }

    public Action<Tensor>? BackwardFn { get; private set; }

    /// <summary>Auxiliary pooled buffers returned to the pool when the graph is released.</summary>
    public List<float[]>? Saved { get; private set; }

    public float[] Save(float[] buffer)
    {
        (Saved ??= new List<float[]>(2)).Add(buffer);
        return buffer;
    }

    public void Release()
    {
        if (Saved is not null)
            foreach (var b in Saved) Memory.BufferPool.Shared.Return(b);
        Saved = null;
        Inputs = [];
        BackwardFn = null;
    }
}
