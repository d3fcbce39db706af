using EmbedRec.Tensors.Memory;
using EmbedRec.Tensors.Nn;
using EmbedRec.Tensors.Optim;
using Xunit;

namespace EmbedRec.Tensors.Tests.Autograd;

public class MemoryTests
{
    [Fact]
    public void PoolReusesExactLengths()
    {
        var pool = new BufferPool();
        var a = pool.Rent(100, false);
        a[0] = 5f;
        pool.Return(a);
        Assert.Equal(400, pool.RetainedBytes);
        var b = pool.Rent(100, true);
        Assert.Same(a, b);
        Assert.Equal(0f, b[0]);
        Assert.NotSame(a, pool.Rent(100, false));
        var small = new BufferPool { MaxRetainedBytes = 100 };
        small.Return(new float[100]);
        Assert.Equal(0, small.RetainedBytes);
    }

    [Fact]
    public void TrainingStepsReachASteadyAllocation()
    {
        // Repeated identical steps must not allocate more float buffers once the pool is warm.
        var rng = new Rng(1);
        var fc1 = new Linear(32, 64, rng);
        var fc2 = new Linear(64, 8, rng);
        var opt = new AdamW(fc1.Parameters().Concat(fc2.Parameters()));
        var x = Tensor.RandomNormal(rng, [128, 32]);
        int[] targets = Enumerable.Range(0, 128).Select(i => i % 8).ToArray();
        void Step()
        {
            opt.ZeroGrad();
            var loss = Ops.CrossEntropy(fc2.Forward(Ops.Relu(fc1.Forward(x))), targets);
            loss.Backward();
            opt.Step();
        }
        for (int i = 0; i < 5; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) Step();
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 20;
        // The step's float data (activations 128×64, gradients) would be > 100 KB; bookkeeping is a few KB.
        Assert.True(perStep < 16_000, $"{perStep} bytes allocated per step");
    }
}
