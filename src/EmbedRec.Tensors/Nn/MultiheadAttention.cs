namespace EmbedRec.Tensors.Nn;

/// <summary>
/// Multi-head scaled dot-product attention, batch-first, with PyTorch's parameter layout and
/// names (<c>in_proj_weight</c> [3E, E] holding W_q, W_k, W_v; <c>in_proj_bias</c>;
/// <c>out_proj.weight</c>, <c>out_proj.bias</c>) and initialization (Xavier-uniform in-projection,
/// zero biases). Supports a causal mask, a key-padding mask and dropout on the attention weights.
/// </summary>
public sealed class MultiheadAttention : Module
{
    private readonly Dropout _dropout;

    /// <summary>Creates the layer.</summary>
    public MultiheadAttention(int embedDim, int heads, Rng rng, float dropout = 0f, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (embedDim <= 0 || heads <= 0 || embedDim % heads != 0)
            throw new ArgumentException($"MultiheadAttention: embedding size {embedDim} must be a positive multiple of the head count {heads}.");
        EmbedDim = embedDim;
        Heads = heads;
        InProjWeight = RegisterParameter("in_proj_weight", Init.XavierUniform(Tensor.Zeros(3 * embedDim, embedDim), rng));
        if (bias) InProjBias = RegisterParameter("in_proj_bias", Tensor.Zeros(3 * embedDim));
        OutProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, rng, bias));
        if (OutProj.Bias is not null) OutProj.Bias.Span.Clear();
        _dropout = RegisterModule("dropout", new Dropout(dropout, rng.Fork()));
    }

    /// <summary>E.</summary>
    public int EmbedDim { get; }

    /// <summary>Number of heads.</summary>
    public int Heads { get; }

    /// <summary>[3E, E].</summary>
    public Tensor InProjWeight { get; }

    /// <summary>[3E] or null.</summary>
    public Tensor? InProjBias { get; }

    /// <summary>The output projection.</summary>
    public Linear OutProj { get; }

    /// <summary>Self-attention: query = key = value = x [B, T, E].</summary>
    public Tensor Forward(Tensor x, bool causal = false, bool[]? keyPadding = null) => Forward(x, x, x, causal, keyPadding);

    /// <summary>
    /// Attention of query [B, Tq, E] over key/value [B, Tk, E]. <paramref name="causal"/> hides
    /// key positions after the query position; <paramref name="keyPadding"/> [B, Tk] hides keys
    /// marked true. A query whose keys are all hidden attends to nothing and returns the output
    /// projection's bias.
    /// </summary>
    public Tensor Forward(Tensor query, Tensor key, Tensor value, bool causal = false, bool[]? keyPadding = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        int e = EmbedDim, hN = Heads, dh = e / hN;
        if (query.Rank != 3 || query.Dim(2) != e || key.Rank != 3 || key.Dim(2) != e || !ShapeUtil.Equal(key.Shape, value.Shape) || key.Dim(0) != query.Dim(0))
            throw new ArgumentException($"MultiheadAttention: query {query.Describe()}, key {key.Describe()} and value {value.Describe()} must be [B, T, {e}] with equal B and equal key/value shapes.");
        int b = query.Dim(0), tq = query.Dim(1), tk = key.Dim(1);
        if (keyPadding is not null && keyPadding.Length != b * tk)
            throw new ArgumentException($"MultiheadAttention: key-padding mask has {keyPadding.Length} entries, expected [{b}, {tk}] = {b * tk}.");
        Tensor Project(Tensor x, int part) => Ops.Linear(x, Ops.Slice(InProjWeight, 0, part * e, e), InProjBias is null ? null : Ops.Slice(InProjBias, 0, part * e, e));
        Tensor Heads3(Tensor x, int t) => Ops.Reshape(Ops.Permute(Ops.Reshape(x, b, t, hN, dh), 0, 2, 1, 3), b * hN, t, dh);

        var q = Heads3(Ops.MulScalar(Project(query, 0), 1f / MathF.Sqrt(dh)), tq);
        var k = Heads3(Project(key, 1), tk);
        var v = Heads3(Project(value, 2), tk);
        var scores = Ops.MatMul(q, k, false, true); // [B·H, Tq, Tk]
        if (causal || keyPadding is not null)
        {
            var mask = new bool[b * tq * tk];
            for (int bi = 0; bi < b; bi++)
                for (int i = 0; i < tq; i++)
                    for (int j = 0; j < tk; j++)
                        mask[(bi * tq + i) * tk + j] = (causal && j > i) || (keyPadding is not null && keyPadding[bi * tk + j]);
            scores = Ops.Reshape(Ops.MaskedFill(Ops.Reshape(scores, b, hN, tq, tk), mask, [b, 1, tq, tk], float.NegativeInfinity), b * hN, tq, tk);
        }
        var attn = _dropout.Forward(Ops.Softmax(scores));
        var ctx = Ops.MatMul(attn, v); // [B·H, Tq, dh]
        var merged = Ops.Reshape(Ops.Permute(Ops.Reshape(ctx, b, hN, tq, dh), 0, 2, 1, 3), b, tq, e);
        return OutProj.Forward(merged);
    }
}
