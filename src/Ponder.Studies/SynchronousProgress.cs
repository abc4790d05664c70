namespace Ponder.Studies;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the caller's thread, so reports arrive in order and before the next
/// line of work (<see cref="Progress{T}"/> posts them to the thread pool).
/// </summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
