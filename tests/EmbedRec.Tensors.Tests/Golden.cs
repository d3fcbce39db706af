using System.Text.Json;
using EmbedRec.Tensors.Nn;

namespace EmbedRec.Tensors.Tests;

/// <summary>Reads Fixtures/golden.json, written by Fixtures/make_golden.py with PyTorch.</summary>
internal static class Golden
{
    private static readonly Lazy<JsonDocument> s_doc = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "golden.json"))));

    public static JsonElement Case(string name) => s_doc.Value.RootElement.GetProperty(name);

    public static Tensor Tensor(JsonElement packed)
    {
        var shape = packed.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var data = packed.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        return EmbedRec.Tensors.Tensor.FromArray(data, shape);
    }

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    public static Tensor Input(JsonElement c, string name)
    {
        var t = Tensor(c.GetProperty("inputs").GetProperty(name));
        t.RequiresGrad = true;
        return t;
    }

    public static void LoadState(Module m, JsonElement c) =>
        m.LoadStateDict(c.GetProperty("state").EnumerateObject().Select(p => new KeyValuePair<string, Tensor>(p.Name, Tensor(p.Value))), strict: true, "golden state");

    /// <summary>Backpropagates L = Σ wᵢ ⊙ outᵢ and compares outputs and gradients with PyTorch.</summary>
    public static void Verify(JsonElement c, Module m, Tensor[] outputs, Dictionary<string, Tensor> inputs, float atol = 2e-5f)
    {
        var expectedOut = c.GetProperty("outputs").EnumerateArray().ToArray();
        var weights = c.GetProperty("loss_weights").EnumerateArray().ToArray();
        Tensor? loss = null;
        for (int i = 0; i < outputs.Length; i++)
        {
            GradCheck.Close(Tensor(expectedOut[i]).Span, outputs[i].Span, atol, 1e-4f, $"output {i}");
            var w = Tensor(weights[i]);
            var term = Ops.Sum(Ops.Mul(outputs[i], Ops.Reshape(w, outputs[i].ShapeArray)));
            loss = loss is null ? term : Ops.Add(loss, term);
        }
        loss!.Backward();
        foreach (var p in c.GetProperty("input_grads").EnumerateObject())
            GradCheck.Close(Tensor(p.Value).Span, inputs[p.Name].Grad!.Span, atol * 5, 1e-3f, $"d/d{p.Name}");
        var named = m.NamedParameters().ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var p in c.GetProperty("param_grads").EnumerateObject())
            GradCheck.Close(Tensor(p.Value).Span, named[p.Name].Grad!.Span, atol * 5, 1e-3f, $"d/d{p.Name}");
    }
}
