namespace EmbedRec.Tensors;

/// <summary>
/// Whether ops record a backward graph on the current thread. Recording is on by default;
/// <c>using (GradMode.NoGrad()) { ... }</c> turns it off for evaluation and optimizer updates.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int t_disabledDepth;

    /// <summary>True when ops on this thread record gradients.</summary>
    public static bool IsEnabled => t_disabledDepth == 0;

    /// <summary>Disables recording until the returned scope is disposed (scopes nest).</summary>
    public static NoGradScope NoGrad()
    {
        t_disabledDepth++;
        return new NoGradScope(true);
    }

    /// <summary>A scope returned by <see cref="NoGrad"/>.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        private readonly bool _active;

        internal NoGradScope(bool active) => _active = active;

        /// <summary>Restores the previous recording state.</summary>
        public void Dispose()
        {
            if (_active) t_disabledDepth--;
        }
    }
}
