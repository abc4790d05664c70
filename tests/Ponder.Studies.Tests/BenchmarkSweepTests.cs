using System.Runtime.Versioning;
using Ponder.Engine.Inference;
using Ponder.Engine.Model;
using Ponder.Generation;
using Ponder.Strategies;
using Ponder.Studies.Benchmarks;
using Ponder.Studies.Store;
using Ponder.Studies.Sweeps;
using Ponder.Tasks.Benchmarks;
using Ponder.Tasks.CodeExecution;

namespace Ponder.Studies.Tests;

/// <summary>One code sandbox for the class (needs bubblewrap and python3, as the sandbox tests of Ponder.Tasks do).</summary>
public sealed class CodeSandboxFixture : IAsyncLifetime
{
    public PythonSandbox Sandbox { get; private set; } = null!;

    public async Task InitializeAsync() => Sandbox = await PythonSandbox.CreateAsync(new PythonSandboxOptions { WallTimeout = TimeSpan.FromSeconds(5) });

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>Sweeps over benchmark files: problems load, samples are drawn, graded (code in the sandbox) and stored.</summary>
[SupportedOSPlatform("linux")]
public sealed class BenchmarkSweepTests(CodeSandboxFixture fixture) : IClassFixture<CodeSandboxFixture>
{
    private static IReadOnlyList<BenchmarkProblem> Load(BenchmarkKind kind, string file)
    {
        var loaded = BenchmarkLoader.Load(kind, Path.Combine(AppContext.BaseDirectory, "Fixtures", "benchmarks", file));
        Assert.Empty(loaded.Errors);
        return loaded.Problems;
    }

    private static async Task<(IReadOnlyList<ResultRow> Rows, IReadOnlyList<PoolSample> Samples, int Failures)> SweepAsync(
        StudyTask task, ITextGenerator policy, string strategies, params int[] budgets)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ponder-{Guid.NewGuid():N}.db");
        try
        {
            using var store = SampleStore.Open(path);
            var sweep = new Sweep(task, task.Context(policy), store, new SweepOptions(strategies.Split(','), budgets, Seed: 5));
            await sweep.RunAsync();
            return (store.Results(), store.Samples(), sweep.Failures);
        }
        finally
        {
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*")) File.Delete(file);
        }
    }

    [Fact]
    public async Task HumanEval_with_the_builtin_arith_model_stores_every_cell_graded_wrong_in_the_sandbox()
    {
        var model = EngineModel.Load(TrainingTests.RepositoryFile("models/arith-small.gguf"));
        var task = BenchmarkStrategies.CreateTask(BenchmarkKind.HumanEval, Load(BenchmarkKind.HumanEval, "humaneval.jsonl"), fixture.Sandbox);

        var (rows, samples, failures) = await SweepAsync(task, new EngineGenerator(model), "sampling,majority,adaptive-consistency", 1, 2);

        Assert.Equal(0, failures);
        // 2 problems × 3 strategies × 2 budgets, and a pool of 2 samples per problem.
        Assert.Equal(12, rows.Count);
        Assert.Equal(["HumanEval/0", "HumanEval/1"], rows.Select(r => r.ProblemId).Distinct().Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.DoesNotContain("failed", r.Trace, StringComparison.Ordinal));
        Assert.All(rows, r => Assert.Equal(0, r.Accuracy));
        Assert.All(rows, r => Assert.True(r.GeneratedTokens > 0));
        Assert.Equal(4, samples.Count);
        Assert.All(samples, s => Assert.False(s.Correct));
        Assert.All(Sweep.Summarize(rows, seed: 1), s => Assert.Equal(0, s.Accuracy));
    }

    [Fact]
    public async Task A_canonical_HumanEval_completion_is_graded_right_even_when_the_model_writes_on()
    {
        var problems = Load(BenchmarkKind.HumanEval, "humaneval.jsonl");
        var task = BenchmarkStrategies.CreateTask(BenchmarkKind.HumanEval, problems, fixture.Sandbox);
        // The body, then what a model writes past the function: a generator stops at "\ndef " and keeps it, and the
        // grader must cut it off again.
        var policy = new ScriptedGenerator(prefix => problems.Single(p => p.Prompt == prefix).ReferenceSolution + "\ndef unrelated(:\n");

        var (rows, samples, failures) = await SweepAsync(task, policy, "majority,adaptive-consistency", 1, 4);

        Assert.Equal(0, failures);
        Assert.Equal(8, rows.Count);
        Assert.All(rows, r => Assert.Equal(1, r.Accuracy));
        Assert.All(samples, s => Assert.True(s.Correct));
        Assert.All(samples, s => Assert.EndsWith("\ndef ", s.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_right_GSM8K_answer_is_graded_right_and_a_wrong_one_wrong()
    {
        var problems = Load(BenchmarkKind.Gsm8k, "gsm8k.jsonl");
        var task = BenchmarkStrategies.CreateTask(BenchmarkKind.Gsm8k, problems);
        // Right about Natalia's clips (72), wrong about Weng's earnings (10).
        var policy = new ScriptedGenerator(prefix => prefix.Contains("Natalia", StringComparison.Ordinal)
            ? " She sold 48 / 2 = 24 clips in May.\n\nSo 48 + 24 = 72 in all. The answer is \\boxed{72}."
            : " 12 × 50 = 600.\n\nThe answer is $600.");

        var (rows, _, failures) = await SweepAsync(task, policy, "sampling,majority,adaptive-consistency", 1, 4);

        Assert.Equal(0, failures);
        Assert.Equal(12, rows.Count);
        string natalia = problems[0].Id;
        Assert.All(rows, r => Assert.Equal(r.ProblemId == natalia ? 1 : 0, r.Accuracy));
        Assert.All(rows.Where(r => r.Strategy == "adaptive-consistency" && r.ProblemId == natalia), r => Assert.Equal("72", r.Answer));
    }

    [Fact]
    public async Task A_problem_whose_grading_fails_is_recorded_as_failed_and_the_sweep_goes_on()
    {
        var problems = Load(BenchmarkKind.Gsm8k, "gsm8k.jsonl");
        var task = BenchmarkStrategies.CreateTask(BenchmarkKind.Gsm8k, problems);
        var broken = task with { Grader = new FailingGrader(task.Grader, problems[0].Id) };
        var policy = new ScriptedGenerator(_ => " The answer is \\boxed{10}.");

        var (rows, samples, failures) = await SweepAsync(broken, policy, "majority,adaptive-consistency", 1, 2);

        // Every cell of the first problem failed (its pool is not kept); the second was graded as usual.
        Assert.Equal(4, failures);
        Assert.Equal(8, rows.Count);
        Assert.All(rows.Where(r => r.ProblemId == problems[0].Id), r => Assert.StartsWith("failed: sandbox down", r.Trace, StringComparison.Ordinal));
        Assert.All(rows.Where(r => r.ProblemId == problems[1].Id), r => Assert.Equal(1, r.Accuracy));
        Assert.All(samples, s => Assert.Equal(problems[1].Id, s.ProblemId));
    }

    [Fact]
    public void Revision_needs_a_revision_prompt_which_benchmarks_do_not_have()
    {
        var task = BenchmarkStrategies.CreateTask(BenchmarkKind.Gsm8k, Load(BenchmarkKind.Gsm8k, "gsm8k.jsonl"));
        var error = Assert.Throws<ArgumentException>(() => new SweepOptions(["revision"], [1], 1).Validate(task, hasStepScorer: false));
        Assert.Equal("strategy revision needs a revision prompt, which task gsm8k does not have", error.Message);
        Assert.DoesNotContain("revision", SweepOptions.Sweepable(task, hasStepScorer: false));
    }

    [Theory]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_bad_temperature_is_refused_before_the_sweep_not_counted_as_wrong_answers(float temperature)
    {
        var task = BenchmarkStrategies.CreateTask(BenchmarkKind.Gsm8k, Load(BenchmarkKind.Gsm8k, "gsm8k.jsonl"));
        var error = Assert.Throws<ArgumentException>(() => new SweepOptions(["majority"], [1], 1, temperature).Validate(task, hasStepScorer: false));
        Assert.StartsWith("temperature must be a finite number ≥ 0", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Writes <c>script(prefix)</c> for every continuation, one token per character, honouring stop strings
    /// (kept at the end, as generators do) and max tokens.</summary>
    private sealed class ScriptedGenerator(Func<string, string> script) : ITextGenerator
    {
        public ModelCard? Card => null;

        public Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
        {
            string full = script(request.Prefix);
            int stopEnd = request.Stop.Select(s => full.IndexOf(s, StringComparison.Ordinal) is var at and >= 0 ? at + s.Length : int.MaxValue)
                .DefaultIfEmpty(int.MaxValue).Min();
            var (text, finish) = stopEnd <= Math.Min(full.Length, request.MaxTokens) ? (full[..stopEnd], FinishReason.Stop)
                : full.Length > request.MaxTokens ? (full[..request.MaxTokens], FinishReason.Length)
                : (full, FinishReason.EndOfSequence);
            var continuation = new Continuation(text, finish, request.Prefix.Length, 0, text.Length, null);
            return Task.FromResult(new GenerationResult(Enumerable.Repeat(continuation, request.Count).ToArray()));
        }
    }

    private sealed class FailingGrader(ISolutionGrader inner, string failingProblemId) : ISolutionGrader
    {
        public Task<bool> IsCorrectAsync(Problem problem, string solution, CancellationToken cancellationToken = default) =>
            problem.Id == failingProblemId ? throw new GradingException("sandbox down") : inner.IsCorrectAsync(problem, solution, cancellationToken);
    }
}
