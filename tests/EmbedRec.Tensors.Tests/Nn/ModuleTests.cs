using EmbedRec.Tensors.Nn;
using EmbedRec.Tensors.Serialization;
using Xunit;

namespace EmbedRec.Tensors.Tests.Nn;

public sealed class ModuleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("embedrec-nn-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private sealed class Tiny : Module
    {
        public Tiny(Rng rng, int hidden = 4)
        {
            Emb = RegisterModule("emb", new Embedding(10, 3, rng, paddingIndex: 0));
            Fc = RegisterModule("fc", new Linear(3, hidden, rng));
            Bn = RegisterModule("bn", new BatchNorm2d(2));
        }

        public Embedding Emb { get; }
        public Linear Fc { get; }
        public BatchNorm2d Bn { get; }
    }

    [Fact]
    public void NamesFollowRegistration()
    {
        var m = new Tiny(new Rng(1));
        Assert.Equal(new[] { "emb.weight", "fc.weight", "fc.bias", "bn.weight", "bn.bias" }, m.NamedParameters().Select(k => k.Key));
        Assert.Equal(new[] { "bn.running_mean", "bn.running_var" }, m.NamedBuffers().Select(k => k.Key));
        m.Eval();
        Assert.False(m.Bn.Training);
        Assert.All(m.Emb.Weight.Span[..3].ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void SaveLoadRoundTripsExactly()
    {
        var a = new Tiny(new Rng(1));
        var b = new Tiny(new Rng(2));
        var path = Path.Combine(_dir, "m.safetensors");
        a.Save(path, new Dictionary<string, string> { ["model"] = "tiny" });
        b.Load(path);
        foreach (var (x, y) in a.StateDict().Zip(b.StateDict()))
            Assert.Equal(x.Value.ToArray(), y.Value.ToArray());
        var (_, meta) = SafeTensors.Read(path);
        Assert.Equal("tiny", meta["model"]);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void FileWrittenMatchesTheFormat()
    {
        var path = Path.Combine(_dir, "t.safetensors");
        SafeTensors.Save(path, [new("a", Tensor.FromArray([1f, 2f], 2))]);
        var bytes = File.ReadAllBytes(path);
        long n = BitConverter.ToInt64(bytes, 0);
        var header = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.Contains("\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", header);
        Assert.Equal(0, n % 8);
        Assert.Equal(1f, BitConverter.ToSingle(bytes, 8 + (int)n));
        Assert.Equal(2f, BitConverter.ToSingle(bytes, 12 + (int)n));
    }

    [Fact]
    public void WrongNameIsReported()
    {
        var path = Path.Combine(_dir, "bad.safetensors");
        var m = new Tiny(new Rng(1));
        SafeTensors.Save(path, m.StateDict().Select(kv => kv.Key == "fc.bias" ? new KeyValuePair<string, Tensor>("fc.b", kv.Value) : kv));
        var ex = Assert.Throws<InvalidDataException>(() => m.Load(path));
        Assert.Contains("missing [fc.bias]", ex.Message);
        Assert.Contains("unexpected [fc.b]", ex.Message);
        Assert.Contains("bad.safetensors", ex.Message);
    }

    [Fact]
    public void WrongShapeIsReported()
    {
        var path = Path.Combine(_dir, "shape.safetensors");
        new Tiny(new Rng(1), hidden: 5).Save(path);
        var ex = Assert.Throws<InvalidDataException>(() => new Tiny(new Rng(1)).Load(path));
        Assert.Contains("'fc.weight' has shape [5, 3]", ex.Message);
        Assert.Contains("[4, 3]", ex.Message);
    }

    [Fact]
    public void WrongDTypeIsReported()
    {
        var path = Path.Combine(_dir, "f64.safetensors");
        var header = "{\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        var hb = System.Text.Encoding.UTF8.GetBytes(header);
        using (var fs = File.Create(path))
        {
            fs.Write(BitConverter.GetBytes((long)hb.Length));
            fs.Write(hb);
            fs.Write(BitConverter.GetBytes(1.0));
        }
        var (entries, _) = SafeTensors.Read(path);
        Assert.Equal("F64", entries[0].DType);
        var m = new Tiny(new Rng(1));
        var ex = Assert.Throws<InvalidDataException>(() => m.Load(path));
        Assert.Contains("'x' has dtype F64", ex.Message);
    }

    [Fact]
    public void TruncatedFileIsReported()
    {
        var path = Path.Combine(_dir, "cut.safetensors");
        File.WriteAllBytes(path, [200, 0, 0, 0, 0, 0, 0, 0, (byte)'{']);
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        Assert.Contains("exceeds the file size", ex.Message);
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Read(Path.Combine(_dir, "none.safetensors")));
    }

    [Fact]
    public void InitializersHaveTheirVariance()
    {
        var rng = new Rng(3);
        float Std(Tensor t) { var a = t.ToArray(); float m = a.Average(); return MathF.Sqrt(a.Select(v => (v - m) * (v - m)).Average()); }
        Assert.Equal(MathF.Sqrt(2f / 600), Std(Init.XavierNormal(Tensor.Zeros(200, 400), rng)), 3);
        Assert.Equal(MathF.Sqrt(6f / 600) / MathF.Sqrt(3), Std(Init.XavierUniform(Tensor.Zeros(200, 400), rng)), 3);
        Assert.Equal(MathF.Sqrt(2f / 36), Std(Init.KaimingNormal(Tensor.Zeros(64, 4, 3, 3), rng)), 2);
        Assert.Equal(0.01f, Std(Init.Normal(Tensor.Zeros(100, 100), rng, 0, 0.01f)), 3);
        Assert.All(Init.Zeros(Tensor.Ones(3)).ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal((36, 576), Init.Fans(Tensor.Zeros(64, 4, 3, 3)));
    }

    [Fact]
    public void TransformerBlocksAndFfnHaveCorrectGradients()
    {
        foreach (bool pre in new[] { true, false })
        {
            var rng = new Rng(5);
            var block = new TransformerBlock(4, 2, 6, rng, preNorm: pre, activation: Activation.Gelu);
            var x = GradCheck.Param(rng, 2, 3, 4);
            var pad = new[] { false, false, false, false, false, true };
            var ps = block.Parameters().ToArray();
            GradCheck.Check(t => block.Forward(t[0], causal: true, keyPadding: pad), [x, .. ps], h: 5e-3f, atol: 3e-3f, rtol: 3e-2f);
        }
    }

    [Fact]
    public void DropoutModuleFollowsMode()
    {
        var d = new Dropout(0.5f, new Rng(1));
        var x = Tensor.Ones(100);
        Assert.Contains(0f, d.Forward(x).ToArray());
        d.Eval();
        Assert.Same(x, d.Forward(x));
    }

    [Fact]
    public void GruAndAttentionRejectBadShapes()
    {
        var rng = new Rng(1);
        var ex = Assert.Throws<ArgumentException>(() => new GRU(3, 4, rng).Forward(Tensor.Zeros(2, 5, 2)));
        Assert.Contains("[2, 5, 2]", ex.Message);
        Assert.Throws<ArgumentException>(() => new MultiheadAttention(6, 4, rng));
        var ex2 = Assert.Throws<ArgumentException>(() => new MultiheadAttention(4, 2, rng).Forward(Tensor.Zeros(2, 3, 4), keyPadding: new bool[5]));
        Assert.Contains("[2, 3]", ex2.Message);
    }
}
