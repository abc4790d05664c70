using System.Text.RegularExpressions;
using Ponder.Tasks.CodeExecution;

namespace Ponder.Tasks.Benchmarks;

/// <summary>
/// How a code problem turns a model's completion into a program and which tests it must pass.
/// </summary>
/// <remarks>
/// The program is <see cref="ProgramPrefix"/> followed by the completion (HumanEval: the prompt the model continued), cut
/// before the first of <see cref="StopStrings"/>: a generator keeps the stop string it stopped at, and one that was not
/// told to stop writes on past the function. When the completion holds a fenced code block (<c>```python … ```</c>), as
/// chat models write, the block's code is used instead, uncut, after the prefix and a newline: a HumanEval prompt ends in
/// a docstring, which is a complete function body, so a full redefinition in the block replaces it and an indented body
/// continues it. Immutable; thread-safe.
/// </remarks>
/// <param name="ProgramPrefix">Code that precedes the completion ("" for MBPP).</param>
/// <param name="Setup">Code run after the program and before the tests (HumanEval's <c>test</c> with its
/// <c>check</c> function; MBPP's <c>test_setup_code</c>).</param>
/// <param name="Cases">The tests, run in order; the first failure ends the run.</param>
public sealed partial record CodeTestSuite(string ProgramPrefix, string Setup, IReadOnlyList<PythonTest> Cases)
{
    /// <summary>Where a completion's code ends (the problem's stop strings); empty: at the end of the completion.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>The complete candidate program for <paramref name="completion"/>, by the rule in the remarks.</summary>
    public string BuildProgram(string completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        string code = WrittenCode(completion, StopStrings);
        return FencedCodePattern().IsMatch(completion) ? ProgramPrefix + "\n" + code : ProgramPrefix + code;
    }

    /// <summary>
    /// The code a model wrote in <paramref name="completion"/>: its fenced block's code when it has one, else the
    /// completion up to the first of <paramref name="stopStrings"/>.
    /// </summary>
    public static string WrittenCode(string completion, IReadOnlyList<string> stopStrings)
    {
        ArgumentNullException.ThrowIfNull(completion);
        ArgumentNullException.ThrowIfNull(stopStrings);
        var fenced = FencedCodePattern().Match(completion);
        if (fenced.Success) return fenced.Groups["code"].Value;
        int end = completion.Length;
        foreach (string stop in stopStrings)
        {
            int at = completion.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && at < end) end = at;
        }
        return completion[..end];
    }

    /// <summary>The sandbox run for <paramref name="completion"/>: its program with <see cref="Setup"/> and
    /// <see cref="Cases"/>.</summary>
    public PythonTestRun ForCompletion(string completion) => new(BuildProgram(completion), Setup, Cases);

    [GeneratedRegex(@"```(?:python|py|python3)?[ \t]*\r?\n(?<code>.*?)```", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FencedCodePattern();
}
