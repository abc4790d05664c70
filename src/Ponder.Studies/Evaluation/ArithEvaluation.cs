// Evaluation of a policy on the arith testbed: K samples per problem, graded by the exact checker; per level the
// unbiased pass@1 (mean over samples) and coverage@K (solved by any sample).

using System.Text.Json.Serialization;
using Ponder.Analysis;
using Ponder.Engine.Inference;
using Ponder.Generation;
using Ponder.Scoring;
using Ponder.Studies.Arith;
using Ponder.Tasks.Arith;

namespace Ponder.Studies.Evaluation;

/// <summary>Figures of one difficulty level.</summary>
public sealed record LevelEvaluation(
    [property: JsonPropertyName("level")] int Level,
    [property: JsonPropertyName("problems")] int Problems,
    [property: JsonPropertyName("pass_at_1")] double PassAt1,
    [property: JsonPropertyName("coverage_at_k")] double CoverageAtK,
    [property: JsonPropertyName("k")] int K);

/// <summary>How well a PRM separates good from bad steps and solutions of the evaluated policy.</summary>
public sealed record PrmEvaluation(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("step_auroc")] double StepAuroc,
    [property: JsonPropertyName("outcome_auroc")] double OutcomeAuroc,
    [property: JsonPropertyName("steps")] int Steps,
    [property: JsonPropertyName("solutions")] int Solutions);

/// <summary>The output of <c>ponder eval</c>.</summary>
public sealed record EvaluationReport(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("split")] string Split,
    [property: JsonPropertyName("temperature")] float Temperature,
    [property: JsonPropertyName("seed")] ulong Seed,
    [property: JsonPropertyName("levels")] IReadOnlyList<LevelEvaluation> Levels,
    [property: JsonPropertyName("prm"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PrmEvaluation? Prm = null);

/// <summary>The samples of one problem and their grades.</summary>
public sealed record GradedSamples(ArithProblem Problem, IReadOnlyList<string> Solutions, IReadOnlyList<ArithCheckResult> Checks)
{
    /// <summary>Samples whose final answer is right.</summary>
    public int Correct => Checks.Count(c => c.AnswerCorrect);
}

/// <summary>Samples a policy on arith problems and grades every sample with <see cref="ArithChecker"/>.</summary>
public static class ArithEvaluation
{
    /// <summary>Longest solution a policy may write; a level-5 canonical solution takes at most about 133 characters.</summary>
    public const int MaxSolutionTokens = 192;

    /// <summary>
    /// Draws <paramref name="samples"/> solutions per problem (one request per problem, so the prompt is computed once)
    /// and grades them. Problem i samples with seed Derive(<paramref name="seed"/>, i).
    /// </summary>
    public static async Task<IReadOnlyList<GradedSamples>> SampleAsync(ITextGenerator generator, IReadOnlyList<ArithProblem> problems,
        int samples, float temperature, ulong seed, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        var graded = new GradedSamples[problems.Count];
        for (int i = 0; i < problems.Count; i++)
        {
            var problem = problems[i];
            var result = await generator.GenerateAsync(new GenerationRequest
            {
                Prefix = ArithTask.Prompt(problem),
                Count = samples,
                MaxTokens = MaxSolutionTokens,
                Sampling = new SamplingOptions { Temperature = temperature, Seed = SplitMix64.Derive(seed, (ulong)i) },
            }, cancellationToken);
            var texts = result.Continuations.Select(c => c.Text).ToArray();
            graded[i] = new GradedSamples(problem, texts, texts.Select(t => ArithChecker.Check(problem, t)).ToArray());
            progress?.Report(i + 1);
        }
        return graded;
    }

    /// <summary>Per-level pass@1 (unbiased, mean over problems of c/n) and coverage@K.</summary>
    public static IReadOnlyList<LevelEvaluation> Summarize(IReadOnlyList<GradedSamples> graded) =>
        graded.GroupBy(g => g.Problem.Level).OrderBy(g => g.Key).Select(level =>
        {
            int k = level.First().Solutions.Count;
            return new LevelEvaluation(level.Key, level.Count(),
                level.Average(g => PassAtK.Estimate(g.Solutions.Count, g.Correct, 1)),
                level.Average(g => PassAtK.Estimate(g.Solutions.Count, g.Correct, k)), k);
        }).ToArray();

    /// <summary>
    /// Scores every judged step of every sample with <paramref name="prm"/>. Step AUROC: step score against "the
    /// solution so far is error-free"; outcome AUROC: the last step's score (Snell et al.'s aggregation) against the
    /// final answer being right. Samples without any complete line count as outcome score 0.
    /// </summary>
    public static async Task<PrmEvaluation> EvaluatePrmAsync(IStepScorer prm, IReadOnlyList<GradedSamples> graded, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var stepScores = new List<double>();
        var stepLabels = new List<bool>();
        var outcomeScores = new List<double>();
        var outcomeLabels = new List<bool>();
        for (int i = 0; i < graded.Count; i++)
        {
            var g = graded[i];
            var problem = ArithStrategies.ToProblem(g.Problem);
            foreach (var check in g.Checks)
            {
                var lines = check.Lines;
                var scores = (await prm.ScoreStepsAsync(problem, check.Steps, cancellationToken)).Scores;
                for (int s = 0; s < scores.Count; s++)
                {
                    stepScores.Add(scores[s]);
                    stepLabels.Add(lines[s].PrefixCorrect);
                }
                outcomeScores.Add(scores.Count > 0 ? scores[^1] : 0);
                outcomeLabels.Add(check.AnswerCorrect);
            }
            progress?.Report(i + 1);
        }
        return new PrmEvaluation(prm.Card?.Name ?? "step scorer", Auroc.Compute(stepScores, stepLabels), Auroc.Compute(outcomeScores, outcomeLabels),
            stepScores.Count, outcomeScores.Count);
    }
}
