using Ponder.Generation;

namespace Ponder.Strategies;

/// <summary>A candidate step: a continuation of a parent's solution so far.</summary>
/// <param name="Parent">Index of the parent in the list that was expanded.</param>
/// <param name="Text">The parent's solution so far followed by the step (the prompt not included).</param>
/// <param name="Step">The generated step.</param>
/// <param name="Continuation">The generation that produced the step.</param>
internal sealed record SearchStep(int Parent, string Text, string Step, Continuation Continuation);

/// <summary>What the step-level searches share: expanding prefixes, deciding when a solution has ended, ranking.</summary>
internal static class StepSearch
{
    /// <summary>
    /// Spreads <paramref name="total"/> candidates over <paramref name="parents"/> prefixes as evenly as possible, the
    /// first prefixes (the best ranked) taking the remainder: M each when the parents are total/M, more each when fewer
    /// survive, so that every round samples the full width.
    /// </summary>
    public static int[] Spread(int total, int parents)
    {
        var copies = new int[parents];
        for (int i = 0; i < parents; i++) copies[i] = total / parents + (i < total % parents ? 1 : 0);
        return copies;
    }

    /// <summary>
    /// Samples <paramref name="copies"/>[i] continuations of each <paramref name="parents"/>[i] (one request per parent,
    /// so the parent is prefilled once) with seed <paramref name="seeds"/>[i]; stops at the step delimiter when
    /// <paramref name="stopAtStep"/>. Children are returned parent by parent, in continuation order.
    /// </summary>
    public static async Task<List<SearchStep>> ExpandAsync(
        SolveSession session, IReadOnlyList<string> parents, IReadOnlyList<int> copies, IReadOnlyList<ulong> seeds,
        StrategyOptions options, int maxTokens, bool stopAtStep, float? temperature = null)
    {
        var results = await session.AllAsync(parents, (parent, i) => copies[i] == 0
            ? Task.FromResult<IReadOnlyList<Continuation>>([])
            : session.GenerateAsync(parent, copies[i], seeds[i], options, maxTokens, stopAtStep, temperature)).ConfigureAwait(false);
        var children = new List<SearchStep>();
        for (int i = 0; i < parents.Count; i++)
            foreach (var c in results[i])
                children.Add(new SearchStep(i, parents[i] + c.Text, c.Text, c));
        return children;
    }

    /// <summary>
    /// Whether a solution has ended with this step: end of sequence, one of the context's solution stops, an empty step, a
    /// full context, the task's finished-test, or — when <paramref name="lengthEnds"/> — the token limit (a step that
    /// never reached its delimiter cannot be continued sensibly).
    /// </summary>
    public static bool Ends(SolveSession session, SearchStep step, bool lengthEnds = true)
    {
        var c = step.Continuation;
        return c.FinishReason == FinishReason.EndOfSequence
            || c.FinishReason == FinishReason.Length && lengthEnds
            // A solution stop ends the whole solution; continuing after it would write past the end the task declares.
            || c.FinishReason == FinishReason.Stop && session.Context.SolutionStops.Any(stop => step.Step.EndsWith(stop, StringComparison.Ordinal))
            || step.Step.Length == 0
            // Without a card the context length is unknown; the generator then reports a full context as Length.
            || session.Policy.Card is { } card && c.PromptTokens + c.GeneratedTokens >= card.ContextLength
            || session.Context.IsFinished?.Invoke(step.Text) == true;
    }

    /// <summary>Indices of the <paramref name="count"/> highest scores, best first (ties to the earlier index).</summary>
    public static List<int> Top(IReadOnlyList<double> scores, int count) =>
        Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(count).ToList();

    /// <summary>The seed of parent <paramref name="parent"/> in round <paramref name="round"/>.</summary>
    public static ulong Seed(ulong seed, int round, int parent) =>
        SplitMix64.Derive(SplitMix64.Derive(seed, (ulong)round), (ulong)parent);
}
