using EmbedRec.Data;
using EmbedRec.Initializers;
using EmbedRec.Tensors;
using Xunit;

namespace EmbedRec.Tests.Initializers;

/// <summary>The init cache: hit and miss, two concurrent writers, a corrupted entry; and through the leporid initializer.</summary>
public sealed class InitCacheTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly DataFingerprint Train = new(10, 2, 3, new string('a', 64));

    private static (IReadOnlyList<KeyValuePair<string, Tensor>>, IReadOnlyList<KeyValuePair<string, int[]>>, IReadOnlyDictionary<string, string>) Made(float v) =>
        ([new("x", Tensor.FromArray([v, v + 1, v + 2], 3))], [new("isolated", [2])], new Dictionary<string, string> { ["what"] = "test" });

    [Fact]
    public void AMissComputesAndWritesAHitReadsTheSameAndKeysDifferByEveryParameter()
    {
        var cache = new InitCache(_dir.Path);
        string key = InitCache.Key(Train, "leporid", ("alpha", 0.5), ("k", 1000));
        Assert.NotEqual(key, InitCache.Key(Train, "leporid", ("alpha", 0.7), ("k", 1000)));
        Assert.NotEqual(key, InitCache.Key(Train with { Sha256 = new string('b', 64) }, "leporid", ("alpha", 0.5), ("k", 1000)));
        Assert.NotEqual(key, InitCache.Key(Train, "svd", ("alpha", 0.5), ("k", 1000)));
        int calls = 0;
        var first = cache.GetOrCompute(key, () => { calls++; return Made(1); });
        var second = cache.GetOrCompute(key, () => { calls++; return Made(9); });
        Assert.Equal((CacheOutcome.Computed, CacheOutcome.Hit, 1), (first.Outcome, second.Outcome, calls));
        Assert.Equal(first.Tensors["x"].ToArray(), second.Tensors["x"].ToArray());
        Assert.Equal([2], second.Ints["isolated"]);
        Assert.Equal("test", second.Metadata["what"]);
    }

    [Fact]
    public void ASecondWriterWaitsForTheFirstAndReadsItsEntry()
    {
        var cache = new InitCache(_dir.Path);
        string key = InitCache.Key(Train, "leporid", ("concurrent", true));
        int calls = 0;
        using var started = new ManualResetEventSlim();
        CachedTensors Run(float v) => cache.GetOrCompute(key, () =>
        {
            Interlocked.Increment(ref calls);
            started.Set();
            Thread.Sleep(400);
            return Made(v);
        });
        CachedTensors? a = null, b = null;
        var first = new Thread(() => a = Run(1));
        first.Start();
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
        var second = new Thread(() => b = Run(5));
        second.Start();
        first.Join();
        second.Join();
        Assert.Equal(1, calls);
        Assert.Equal(CacheOutcome.Computed, a!.Outcome);
        Assert.Equal(CacheOutcome.Hit, b!.Outcome);
        Assert.Equal(a.Tensors["x"].ToArray(), b.Tensors["x"].ToArray());
        // A holder that exceeds the wait limit: the waiter computes on its own and does not write.
        var impatient = new InitCache(_dir.Path, TimeSpan.FromMilliseconds(50));
        string key2 = InitCache.Key(Train, "leporid", ("slow", true));
        using var held = DirectoryLock.Acquire(Path.Combine(_dir.Path, key2));
        var c = impatient.GetOrCompute(key2, () => Made(7));
        Assert.Equal(CacheOutcome.NotWritten, c.Outcome);
        Assert.False(File.Exists(Path.Combine(_dir.Path, key2, "embedding.safetensors")));
    }

    [Fact]
    public void ACorruptedEntryIsComputedAgainAndReplacedNeverUsed()
    {
        var cache = new InitCache(_dir.Path);
        string key = InitCache.Key(Train, "svd", ("vectors", 3));
        cache.GetOrCompute(key, () => Made(1));
        var file = Path.Combine(_dir.Path, key, "embedding.safetensors");
        var bytes = File.ReadAllBytes(file);
        bytes[^2] ^= 0x40; // a flipped bit in the data
        File.WriteAllBytes(file, bytes);
        var again = cache.GetOrCompute(key, () => Made(1));
        Assert.Equal(CacheOutcome.Replaced, again.Outcome);
        Assert.Equal(CacheOutcome.Hit, cache.GetOrCompute(key, () => Made(3)).Outcome);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]); // truncated
        Assert.Equal(CacheOutcome.Replaced, cache.GetOrCompute(key, () => Made(1)).Outcome);
        // An entry of another key moved into place is not used either.
        string other = InitCache.Key(Train, "svd", ("vectors", 4));
        cache.GetOrCompute(other, () => Made(4));
        File.Copy(Path.Combine(_dir.Path, other, "embedding.safetensors"), file, overwrite: true);
        var moved = cache.GetOrCompute(key, () => Made(1));
        Assert.Equal(CacheOutcome.Replaced, moved.Outcome);
        Assert.Equal(1f, moved.Tensors["x"].ToArray()[0]);
    }

    [Fact]
    public void LeporidComputesOnceAndTheCachedRunFillsTheSameValues()
    {
        var split = InitTestData.Split();
        var context = new InitContext(split, new Rng(0)) { CacheDirectory = _dir.Path };
        var options = new LeporidInitOptions { K = 20 };
        var a = InitTestData.Model("mf", split);
        var first = new LeporidInitializer(options);
        first.Initialize(a.Tables, context);
        Assert.All(first.Reports, r => Assert.Equal(CacheOutcome.Computed, r.Outcome));
        var b = InitTestData.Model("mf", split);
        var second = new LeporidInitializer(options with { ZScore = false, Scale = 2 }); // normalization is applied after the cache
        second.Initialize(b.Tables, context);
        Assert.All(second.Reports, r => Assert.Equal(CacheOutcome.Hit, r.Outcome));
        var c = InitTestData.Model("mf", split);
        new LeporidInitializer(options).Initialize(c.Tables, context);
        Assert.Equal(a.Tables[0].Weight.ToArray(), c.Tables[0].Weight.ToArray());
        Assert.Equal(a.Tables[1].Weight.ToArray(), c.Tables[1].Weight.ToArray());
        var uncached = InitTestData.Model("mf", split);
        new LeporidInitializer(options with { Cache = false }).Initialize(uncached.Tables, context);
        Assert.Equal(a.Tables[1].Weight.ToArray(), uncached.Tables[1].Weight.ToArray());
        // Another K is another entry.
        var k10 = new LeporidInitializer(options with { K = 10 });
        k10.Initialize(InitTestData.Model("mf", split).Tables, context);
        Assert.All(k10.Reports, r => Assert.Equal(CacheOutcome.Computed, r.Outcome));
    }
}
