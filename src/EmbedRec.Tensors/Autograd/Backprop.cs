using EmbedRec.Tensors.Memory;

namespace EmbedRec.Tensors.Autograd;

/// <summary>Graph recording helpers for ops and the reverse pass.</summary>
internal static class Backprop
{
    public static bool Tracks(Tensor a) => GradMode.IsEnabled && a.RequiresGrad;

    public static bool Tracks(Tensor a, Tensor b) => GradMode.IsEnabled && (a.RequiresGrad || b.RequiresGrad);

    public static bool Tracks(Tensor a, Tensor? b, Tensor? c) =>
        GradMode.IsEnabled && (a.RequiresGrad || (b?.RequiresGrad ?? false) || (c?.RequiresGrad ?? false));

    /// <summary>Records <paramref name="output"/> as produced by <paramref name="op"/>.</summary>
    public static Node Record(Tensor output, string op, Tensor[] inputs, Action<Tensor> backward)
    {
        var node = new Node(op, inputs, backward);
        output.Node = node;
        return node;
    }

    /// <summary>
    /// The gradient buffer of <paramref name="t"/> to accumulate into (+=), created zeroed on first
    /// use; an empty span when <paramref name="t"/> does not require grad.
    /// </summary>
    public static Span<float> GradSpan(Tensor t)
    {
        if (!t.RequiresGrad) return Span<float>.Empty;
        if (t.Grad is null)
        {
            t.Grad = t.IsLeaf
                ? Tensor.Zeros(t.ShapeArray)
                : new Tensor(BufferPool.Shared.RentAtLeast(t.Size, true), t.ShapeArray, true);
        }
        return t.Grad.Span;
    }

    /// <summary>Adds <paramref name="g"/> into the gradient of <paramref name="t"/> (same size).</summary>
    public static void SumAcc(Tensor t, Tensor g)
    {
        if (!t.RequiresGrad) return;
        var gx = GradSpan(t);
        TensorPrimitives.Add(gx, g.Span, gx);
    }

    public static void Run(Tensor root, Tensor? gradient, bool retainGraph)
    {
        if (!root.RequiresGrad)
            throw new InvalidOperationException($"Backward: {root.Describe()} does not require grad; no input of the ops that made it had RequiresGrad set.");
        if (gradient is null && root.Size != 1)
            throw new ArgumentException($"Backward without a gradient needs a one-element tensor; {root.Describe()} has {root.Size} elements. Pass a gradient of shape {root.ShapeString}.");
        if (gradient is not null && !ShapeUtil.Equal(gradient.Shape, root.Shape))
            throw new ArgumentException($"Backward: the gradient has shape {gradient.ShapeString} but {root.Describe()} has shape {root.ShapeString}.");

        var order = TopologicalOrder(root);
        // A retained graph still holds the previous pass's intermediate gradients.
        foreach (var t in order)
            if (!t.IsLeaf) t.Grad?.Span.Clear();
        var rootGrad = GradSpan(root);
        if (gradient is null) rootGrad[0] += 1f;
        else TensorPrimitives.Add(rootGrad, gradient.Span, rootGrad);

        using (GradMode.NoGrad())
        {
            for (int i = order.Count - 1; i >= 0; i--)
            {
                var t = order[i];
                if (t.Node?.BackwardFn is { } fn && t.Grad is not null) fn(t.Grad);
            }
        }

        if (retainGraph) return;
        // Release: intermediate gradients, saved buffers, and intermediate values (unless kept).
        // Buffers still visible to the caller (the root, retained tensors, and views sharing them) stay.
        var kept = new HashSet<float[]>(ReferenceEqualityComparer.Instance) { root.RawBuffer };
        foreach (var t in order)
            if (t.Retained) kept.Add(t.RawBuffer);
        foreach (var t in order)
        {
            if (t.IsLeaf) continue;
            if (t.Grad is { } g) { g.Release(); t.Grad = null; }
            t.Node!.Release();
            t.Node = null;
            if (ReferenceEquals(t, root)) continue;
            if (kept.Contains(t.RawBuffer)) t.Retain();
            else t.Release();
        }
    }

    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor T, int Next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.Node?.Inputs ?? [];
            if (next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var child = inputs[next];
                if (child.RequiresGrad && visited.Add(child)) stack.Push((child, 0));
            }
            else
            {
                order.Add(t);
            }
        }
        return order;
    }
}
