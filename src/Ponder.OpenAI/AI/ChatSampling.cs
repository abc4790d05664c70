using System.Globalization;
using Microsoft.Extensions.AI;
using Ponder.Generation;
using Ponder.Scoring;
using Ponder.Strategies;

namespace Ponder.AI;

/// <summary>
/// What the test-time compute chat clients share: N concurrent samples of one request, and a chosen sample returned with
/// the usage of all of them.
/// </summary>
internal static class ChatSampling
{
    /// <summary>Additional property holding the number of samples a response was chosen from.</summary>
    public const string SamplesProperty = "ponder.samples";

    /// <summary>
    /// <paramref name="count"/> responses to the same messages, requested concurrently. Options are cloned per sample,
    /// never changed; with a seed, sample i uses a seed derived from (seed, i) so the samples differ but stay reproducible.
    /// </summary>
    public static async Task<ChatResponse[]> SampleAsync(IChatClient inner, IReadOnlyList<ChatMessage> messages, ChatOptions? options, int count,
        CancellationToken cancellationToken)
    {
        var calls = Enumerable.Range(0, count).Select(i =>
        {
            var sampleOptions = options?.Clone();
            if (sampleOptions?.Seed is { } seed) sampleOptions.Seed = unchecked((long)SplitMix64.Derive(unchecked((ulong)seed), (ulong)i));
            return inner.GetResponseAsync(messages, sampleOptions, cancellationToken);
        });
        return await Task.WhenAll(calls).ConfigureAwait(false);
    }

    /// <summary>The majority answer's first sample (<see cref="CandidateSelection.Majority"/>); the first sample when no sample has an answer.</summary>
    public static ChatResponse Majority(ChatResponse[] samples, IAnswerKey answerKey)
    {
        var candidates = samples.Select((r, i) => new Candidate(i, r.Text, answerKey.ExtractAnswer(r.Text), null, null, FinishReason.Stop, null, null)).ToArray();
        var chosen = CandidateSelection.Majority(candidates, answerKey);
        var groups = CandidateSelection.GroupByAnswer(candidates, answerKey);
        var votes = groups.Count == 0 ? "none" : string.Join(", ", groups.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g[0].Answer}×{g.Count}")));
        return Combine(samples, chosen?.Index ?? 0, ("ponder.votes", votes));
    }

    /// <summary>The sample with the highest score (ties to the earlier sample).</summary>
    public static ChatResponse Best(ChatResponse[] samples, double[] scores)
    {
        int best = 0;
        for (int i = 1; i < scores.Length; i++)
            if (scores[i] > scores[best]) best = i;
        return Combine(samples, best, ("ponder.scores", scores));
    }

    // A copy of the chosen response whose usage counts every sample's tokens.
    private static ChatResponse Combine(ChatResponse[] samples, int chosen, (string Key, object Value) detail)
    {
        var source = samples[chosen];
        var usage = new UsageDetails();
        foreach (var sample in samples)
            if (sample.Usage is { } u) usage.Add(u);
        var properties = source.AdditionalProperties?.Clone() ?? [];
        properties[SamplesProperty] = samples.Length;
        properties[detail.Key] = detail.Value;
        return new ChatResponse(source.Messages)
        {
            ResponseId = source.ResponseId,
            ConversationId = source.ConversationId,
            ModelId = source.ModelId,
            CreatedAt = source.CreatedAt,
            FinishReason = source.FinishReason,
            RawRepresentation = source.RawRepresentation,
            Usage = usage,
            AdditionalProperties = properties,
        };
    }
}
