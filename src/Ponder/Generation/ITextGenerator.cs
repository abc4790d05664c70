namespace Ponder.Generation;

/// <summary>
/// Continues raw text prefixes. Implementations: the embedded engine and OpenAI-compatible servers.
/// Implementations are safe to call concurrently.
/// </summary>
public interface ITextGenerator
{
    /// <summary>
    /// Size and shape of the model, for compute accounting; null when unknown (a remote model without a configured card),
    /// and then compute is reported in tokens only.
    /// </summary>
    ModelCard? Card { get; }

    /// <summary>Generates <see cref="GenerationRequest.Count"/> continuations of the request's prefix.</summary>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// A generator for one strategy run (a problem solved once): its requests may share work, such as the K/V of a
    /// prefix an earlier request of the run computed (reported as cached prompt tokens), and never another run's, so what
    /// a run is charged does not depend on what ran before it. The default is this generator itself.
    /// </summary>
    ITextGenerator BeginRun() => this;
}
