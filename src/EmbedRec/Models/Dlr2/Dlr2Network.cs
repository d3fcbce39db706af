using EmbedRec.Tensors;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Models;

/// <summary>
/// The parameters of <see cref="Dlr2"/> as the authors' code lays them out (SPEC §2): the user and item tables (item i at
/// row i + 1, row 0 the zero padding of short histories), the feature network, the critic S and the actor G.
/// </summary>
internal sealed class Dlr2Network : Module
{
    public Dlr2Network(int users, int items, Dlr2Options o, Rng rng)
    {
        User = RegisterModule("user", new Embedding(users, o.Dim, rng));
        Item = RegisterModule("item", new Embedding(items + 1, o.Dim, rng, paddingIndex: 0));
        Init.Normal(User.Weight, rng, 0f, o.InitStd);
        Init.Normal(Item.Weight, rng, 0f, o.InitStd);
        Item.Weight.Span[..o.Dim].Clear();
        Feature = RegisterModule("feature", new Dlr2Feature(o, rng));
        Critic = RegisterModule("critic", new Dlr2Head(2 * o.Dim, o.HeadLayers, 1, rng));
        Actor = RegisterModule("actor", new Dlr2Head(o.Dim, o.HeadLayers, o.Dim, rng));
    }

    public Embedding User { get; }

    public Embedding Item { get; }

    public Dlr2Feature Feature { get; }

    public Dlr2Head Critic { get; }

    public Dlr2Head Actor { get; }
}

/// <summary>
/// The feature network: the image [N, 1, l + 1, d] → 1×1 convolution to c channels + ReLU → a c→c residual block →
/// a c→2c stride-2 residual block whose shortcut is a 1×1 stride-2 convolution + BatchNorm → flatten → Linear to d.
/// Convolutions have no bias and Kaiming-normal weights (fan-out, as the code's <c>kaiming_normal_(mode='fan_out')</c>);
/// the code's unused <c>bn1</c> is left out.
/// </summary>
internal sealed class Dlr2Feature : Module
{
    /// <summary>Hidden widths of the "No Conv" ablation, as the code builds it (<c>GeneralBlock2</c> twice).</summary>
    private static readonly int[] NoConvWidths = [128, 256, 128, 256];

    private readonly Dlr2Variant _variant;
    private readonly List<Linear> _dense = [];

    public Dlr2Feature(Dlr2Options o, Rng rng)
    {
        _variant = o.Variant;
        int c = o.Channels, h = o.Window + 1, w = o.Dim;
        Conv1 = RegisterModule("conv1", Conv(1, c, 1, 1, 0, rng));
        int flat;
        if (o.Variant == Dlr2Variant.NoConv)
        {
            int width = c * h * w;
            for (int k = 0; k < NoConvWidths.Length; k++)
            {
                _dense.Add(RegisterModule($"dense{k + 1}", new Linear(width, NoConvWidths[k], rng)));
                width = NoConvWidths[k];
            }
            flat = width;
        }
        else
        {
            Layer1 = RegisterModule("layer1", new Dlr2Block(c, c, 1, shortcut: false, rng));
            Layer2 = RegisterModule("layer2", new Dlr2Block(c, 2 * c, 2, shortcut: o.Variant == Dlr2Variant.ResNet, rng));
            // 3×3 stride 2 padding 1 and 1×1 stride 2 both give ⌊(n − 1)/2⌋ + 1 (3 × 32 for l = 5, d = 64).
            flat = 2 * c * ((h - 1) / 2 + 1) * ((w - 1) / 2 + 1);
        }
        Fc = RegisterModule("fc", new Linear(flat, o.Dim, rng));
    }

    public Conv2d Conv1 { get; }

    public Dlr2Block? Layer1 { get; }

    public Dlr2Block? Layer2 { get; }

    public Linear Fc { get; }

    /// <summary>x [N, 1, l + 1, d] → s [N, d].</summary>
    public Tensor Forward(Tensor x)
    {
        int n = x.Dim(0);
        var y = Ops.Relu(Conv1.Forward(x));                         // [N, c, l+1, d]
        if (_variant == Dlr2Variant.NoConv)
        {
            y = Ops.Reshape(y, n, y.Size / n);
            foreach (var layer in _dense) y = Ops.Relu(layer.Forward(y));
        }
        else
        {
            bool residual = _variant == Dlr2Variant.ResNet;
            y = Layer2!.Forward(Layer1!.Forward(y, residual), residual); // [N, 2c, ⌊l/2⌋+1, ⌊(d−1)/2⌋+1]
            y = Ops.Reshape(y, n, y.Size / n);
        }
        return Fc.Forward(y);                                        // [N, d]
    }

    internal static Conv2d Conv(int inChannels, int outChannels, int kernel, int stride, int padding, Rng rng)
    {
        var conv = new Conv2d(inChannels, outChannels, kernel, rng, stride, padding, bias: false);
        Init.KaimingNormal(conv.Weight, rng, fanOut: true);
        return conv;
    }
}

/// <summary>
/// conv3×3 (stride s) → ReLU → conv3×3, then with the residual: + x (or + BN(conv1×1 stride s (x)) when the shape
/// changes) → ReLU (the code's <c>BasicBlock</c>); without it: → ReLU (the "Only Conv" <c>GeneralBlock</c>).
/// </summary>
internal sealed class Dlr2Block : Module
{
    public Dlr2Block(int inChannels, int outChannels, int stride, bool shortcut, Rng rng)
    {
        Conv1 = RegisterModule("conv1", Dlr2Feature.Conv(inChannels, outChannels, 3, stride, 1, rng));
        Conv2 = RegisterModule("conv2", Dlr2Feature.Conv(outChannels, outChannels, 3, 1, 1, rng));
        if (shortcut)
        {
            DownsampleConv = RegisterModule("downsample_conv", Dlr2Feature.Conv(inChannels, outChannels, 1, stride, 0, rng));
            DownsampleBn = RegisterModule("downsample_bn", new BatchNorm2d(outChannels));
        }
    }

    public Conv2d Conv1 { get; }

    public Conv2d Conv2 { get; }

    public Conv2d? DownsampleConv { get; }

    public BatchNorm2d? DownsampleBn { get; }

    public Tensor Forward(Tensor x, bool residual)
    {
        var y = Conv2.Forward(Ops.Relu(Conv1.Forward(x)));
        if (!residual) return Ops.Relu(y);
        var identity = DownsampleConv is null ? x : DownsampleBn!.Forward(DownsampleConv.Forward(x));
        return Ops.Relu(Ops.Add(y, identity));
    }
}

/// <summary>
/// The critic S (concat[s, e] → 256 → 256 → 128 → 1, no activation at the end) or the actor G (s → 256 → 256 → 128 → d,
/// tanh at the end): Linear layers with ReLU between, PyTorch's default initialization (the code never calls its
/// <c>initialization()</c>).
/// </summary>
internal sealed class Dlr2Head : Module
{
    public Dlr2Head(int input, IReadOnlyList<int> hidden, int output, Rng rng)
    {
        int width = input;
        for (int k = 0; k < hidden.Count; k++)
        {
            Layers.Add(RegisterModule($"fc{k + 1}", new Linear(width, hidden[k], rng)));
            width = hidden[k];
        }
        Layers.Add(RegisterModule($"fc{hidden.Count + 1}", new Linear(width, output, rng)));
    }

    /// <summary>The hidden layers then the output layer.</summary>
    public List<Linear> Layers { get; } = [];

    /// <summary>x [N, input] → [N, output] before the final activation.</summary>
    public Tensor Forward(Tensor x)
    {
        for (int k = 0; k < Layers.Count - 1; k++) x = Ops.Relu(Layers[k].Forward(x));
        return Layers[^1].Forward(x);
    }
}
