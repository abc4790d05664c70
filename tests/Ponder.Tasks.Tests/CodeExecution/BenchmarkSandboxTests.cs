using System.Runtime.Versioning;
using Ponder.Tasks.Benchmarks;

namespace Ponder.Tasks.Tests.CodeExecution;

/// <summary>Loader and sandbox together: a fixture's canonical solution passes its own tests, a wrong one does not.</summary>
[SupportedOSPlatform("linux")]
public sealed class BenchmarkSandboxTests(SandboxFixture fixture) : IClassFixture<SandboxFixture>
{
    private static BenchmarkProblem First(BenchmarkKind kind, string file) =>
        BenchmarkLoader.Load(kind, Path.Combine(AppContext.BaseDirectory, "Fixtures", file)).Problems[0];

    [Fact]
    public async Task HumanEval_canonical_solution_passes_and_a_wrong_one_names_its_assertion()
    {
        var problem = First(BenchmarkKind.HumanEval, "humaneval.jsonl");
        var right = await fixture.Sandbox.RunAsync(problem.Tests!.ForCompletion(problem.ReferenceSolution!));
        Assert.True(right.Passed, right.Error);

        var wrong = await fixture.Sandbox.RunAsync(problem.Tests.ForCompletion("    return a - b\n"));
        Assert.False(wrong.Passed);
        Assert.Equal("assert candidate(1, 2) == 3", wrong.FailedLine);
    }

    [Fact]
    public async Task Mbpp_canonical_code_passes()
    {
        var problem = First(BenchmarkKind.Mbpp, "mbpp.jsonl");
        var result = await fixture.Sandbox.RunAsync(problem.Tests!.ForCompletion(problem.ReferenceSolution!));
        Assert.True(result.Passed, result.Error);
        Assert.Equal(2, result.TestsPassed);
    }

    [Fact]
    public async Task A_chat_solution_whose_main_block_reads_stdin_passes_as_in_the_reference_harnesses()
    {
        // HumanEval's and MBPP's harnesses exec the program in a fresh namespace whose __name__ is not "__main__", so
        // the example-usage block chat models append never runs there; here it read input() and failed with EOFError.
        var problem = First(BenchmarkKind.HumanEval, "humaneval.jsonl");
        const string completion = "Here you go:\n```python\ndef add(a, b):\n    return a + b\n\nif __name__ == \"__main__\":\n"
                                  + "    a, b = map(int, input().split())\n    print(add(a, b))\n```\n";
        var result = await fixture.Sandbox.RunAsync(problem.Tests!.ForCompletion(completion));
        Assert.True(result.Passed, $"{result.Verdict}: {result.Error}");
    }
}
