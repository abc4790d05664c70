// A process reward model that is itself a small LM (DESIGN.md §4): the scored text is the prompt followed by each
// step, its delimiter and a tag token; the model's distribution at each tag position, restricted to the two judgement
// tokens, gives the step's score P(plus) / (P(plus) + P(minus)). The tag, not the judgement, is in the input, so a
// step's score never depends on judgements of earlier steps (Math-Shepherd's tag scheme).

using Ponder.Engine.Model;

namespace Ponder.Engine.Inference;

/// <summary>The characters a PRM's text format uses around steps.</summary>
/// <param name="Tag">Written after every step's delimiter; the score is read at its position.</param>
/// <param name="Plus">Judgement "the solution so far is error-free".</param>
/// <param name="Minus">Judgement "the solution so far has an error".</param>
/// <param name="Delimiter">Ends every step.</param>
public sealed record PrmFormat(char Tag, char Plus, char Minus, string Delimiter)
{
    /// <summary>The arith testbed's format: steps end with a newline, then '#'; judgements '+' and '-'.</summary>
    public static PrmFormat Arith { get; } = new('#', '+', '-', "\n");

    /// <summary>The text the PRM reads: <paramref name="prompt"/>, then every step with its delimiter and the tag.</summary>
    public string Render(string prompt, IEnumerable<string> steps) =>
        prompt + string.Concat(steps.Select(s => s + Delimiter + Tag));
}

/// <summary>Scores every step of a (partial) solution with an engine PRM. Safe to call concurrently.</summary>
public sealed class EngineStepScorer : EngineScorer
{
    private readonly int _tag, _plus, _minus;

    /// <summary>Uses <paramref name="model"/>, whose vocabulary must hold the format's three characters.</summary>
    public EngineStepScorer(EngineModel model, PrmFormat format) : base(model, model?.Name!)
    {
        Format = format;
        int Id(char c, string what)
        {
            var ids = Model.Tokenizer.Encode(c.ToString());
            if (ids.Length != 1 || ids[0] == Model.Tokenizer.Unknown)
                throw new ArgumentException($"{Model.Name} is not a PRM for this format: its vocabulary has no token for the {what} '{c}'");
            return ids[0];
        }
        _tag = Id(format.Tag, "tag");
        _plus = Id(format.Plus, "plus judgement");
        _minus = Id(format.Minus, "minus judgement");
    }

    /// <summary>The text format.</summary>
    public PrmFormat Format { get; }

    // The PRM renders its own delimiter and tag after every step: steps are scored bare, and an unfinished last step
    // (no delimiter) as it stands.
    private protected override IReadOnlyList<string> ScoredSteps(IReadOnlyList<string> steps) =>
        steps.Select(s => s.EndsWith(Format.Delimiter, StringComparison.Ordinal) ? s[..^Format.Delimiter.Length] : s).ToArray();

    private protected override float[] Score(string prompt, IReadOnlyList<string> steps, PrefixCache cache, out int tokenCount, out int cached)
    {
        (tokenCount, cached) = (0, 0);
        if (steps.Count == 0) return [];
        var tokenizer = Model.Tokenizer;
        var ids = tokenizer.Encode(Format.Render(prompt, steps));
        int[] tokens = tokenizer.AddBos ? [tokenizer.Bos, .. ids] : ids;
        tokenCount = tokens.Length;
        // Tags are counted after the prompt, which may contain the tag character itself.
        int firstStepToken = (tokenizer.AddBos ? 1 : 0) + tokenizer.Encode(prompt).Length;
        var logits = Logits(cache, tokens, "the solution with its tags", out cached);
        int vocab = Model.Model.Config.VocabularySize;
        var scores = new float[steps.Count];
        int step = 0;
        for (int position = firstStepToken; position < tokens.Length && step < scores.Length; position++)
        {
            if (tokens[position] != _tag) continue;
            // P(+)/(P(+)+P(−)) = σ(logit₊ − logit₋)
            float margin = logits[position * vocab + _plus] - logits[position * vocab + _minus];
            scores[step++] = 1f / (1f + MathF.Exp(-margin));
        }
        if (step != scores.Length)
            throw new ArgumentException($"the steps contain the tag character '{Format.Tag}'; a step must not contain it");
        return scores;
    }
}
