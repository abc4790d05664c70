namespace Ponder.Tasks.Benchmarks;

/// <summary>
/// The prompt templates, one per kind. Generators continue a raw prefix (chat models get it as the user message), so
/// each template ends where the model's answer begins.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>GSM8K, MATH, AIME: <see cref="MathTemplate"/> with <c>{problem}</c> replaced — asking for a boxed answer, which
/// <see cref="Grading.MathAnswer.Extract"/> finds first.</item>
/// <item>HumanEval: the <c>prompt</c> field unchanged (a signature and docstring the model continues), stopping at the
/// Codex paper's stop strings (<see cref="HumanEvalStops"/>) so that only the function body is generated.</item>
/// <item>MBPP: <see cref="MbppTemplate"/> (the MBPP paper's prompt: the task, its tests, then <c>[BEGIN]</c>), stopping
/// at <c>[DONE]</c>.</item>
/// </list>
/// </remarks>
public static class BenchmarkPrompts
{
    /// <summary>The template for math problems; <c>{problem}</c> is replaced by the problem text.</summary>
    public const string MathTemplate =
        "Solve the following math problem step by step. Put the final answer in \\boxed{}.\n\nProblem: {problem}\n\nSolution:";

    /// <summary>The template for MBPP; <c>{text}</c> is the task, <c>{tests}</c> its asserts, one per line.</summary>
    public const string MbppTemplate =
        "You are an expert Python programmer, and here is your task: {text} Your code should pass these tests:\n\n{tests}\n[BEGIN]\n";

    /// <summary>Where a HumanEval completion ends: the start of the next top-level statement.</summary>
    public static IReadOnlyList<string> HumanEvalStops { get; } = ["\ndef ", "\nclass ", "\nif __name__", "\nprint(", "\n#"];

    /// <summary>Where an MBPP completion ends.</summary>
    public static IReadOnlyList<string> MbppStops { get; } = ["[DONE]"];

    /// <summary>The prompt for a math problem.</summary>
    public static string Math(string problem) => MathTemplate.Replace("{problem}", problem, StringComparison.Ordinal);

    /// <summary>The prompt for an MBPP task and its test asserts.</summary>
    public static string Mbpp(string text, IEnumerable<string> tests) =>
        MbppTemplate.Replace("{tests}", string.Join("\n", tests), StringComparison.Ordinal).Replace("{text}", text, StringComparison.Ordinal);
}
