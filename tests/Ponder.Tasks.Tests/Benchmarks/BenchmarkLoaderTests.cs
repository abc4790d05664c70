using Ponder.Tasks.Benchmarks;
using Ponder.Tasks.Grading;

namespace Ponder.Tasks.Tests.Benchmarks;

/// <summary>Loads the small hand-written files in Fixtures/, each with good and malformed lines.</summary>
public sealed class BenchmarkLoaderTests
{
    private static BenchmarkLoadResult Load(BenchmarkKind kind, string file) =>
        BenchmarkLoader.Load(kind, Path.Combine(AppContext.BaseDirectory, "Fixtures", file));

    private static void AssertErrors(BenchmarkLoadResult result, params (int Line, string Fragment)[] expected)
    {
        Assert.Equal(expected.Select(e => e.Line), result.Errors.Select(e => e.LineNumber));
        foreach (var ((_, fragment), error) in expected.Zip(result.Errors)) Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void Gsm8k_reads_the_final_answer_and_reports_bad_lines_by_number()
    {
        var result = Load(BenchmarkKind.Gsm8k, "gsm8k.jsonl");
        Assert.Equal([1, 4], result.Problems.Select(p => p.LineNumber));
        AssertErrors(result, (2, "not valid JSON"), (5, "no '#### <final answer>' line"), (6, "must be a string"), (7, "expected a JSON object"), (8, "duplicate id"));

        var first = result.Problems[0];
        Assert.Equal("72", first.ReferenceAnswer);
        Assert.StartsWith("Natalia sold 48/2", first.ReferenceSolution);
        Assert.Equal(BenchmarkPrompts.Math(first.Statement), first.Prompt);
        Assert.Matches("^gsm8k-[0-9a-f]{16}$", first.Id);
        Assert.Null(first.Tests);
        Assert.True(MathAnswer.AreEquivalent(result.Problems[1].ReferenceAnswer!, "2400"));
    }

    [Fact]
    public void Gsm8k_ids_do_not_depend_on_the_line()
    {
        var a = BenchmarkLoader.Read(BenchmarkKind.Gsm8k, new StringReader("""{"question": "q1", "answer": "#### 1"}"""));
        var b = BenchmarkLoader.Read(BenchmarkKind.Gsm8k, new StringReader("\n\n" + """{"question": "q1", "answer": "#### 1"}"""));
        Assert.Equal(a.Problems[0].Id, b.Problems[0].Id);
        Assert.Equal(3, b.Problems[0].LineNumber);
    }

    [Fact]
    public void Math_keeps_level_and_subject_and_falls_back_to_the_boxed_answer()
    {
        var result = Load(BenchmarkKind.Math, "math.jsonl");
        AssertErrors(result, (3, "\\boxed{}"), (4, "duplicate id 'test/prealgebra/1.json' (first on line 1)"));
        var (withAnswer, boxedOnly) = (result.Problems[0], result.Problems[1]);

        Assert.Equal("test/prealgebra/1.json", withAnswer.Id);
        Assert.Equal("\\frac{5}{6}", withAnswer.ReferenceAnswer);
        Assert.Equal(2, withAnswer.Level);
        Assert.Equal("Prealgebra", withAnswer.Subject);
        Assert.Equal("2", withAnswer.Metadata["level"]);
        Assert.Equal("Prealgebra", withAnswer.Metadata["subject"]);
        Assert.False(withAnswer.Metadata.ContainsKey("problem"));

        Assert.Equal("2", boxedOnly.ReferenceAnswer);
        Assert.Equal(3, boxedOnly.Level);
        Assert.Equal("Algebra", boxedOnly.Subject);
        Assert.Equal("Level 3", boxedOnly.Metadata["level"]);
        Assert.Contains("Put the final answer in \\boxed{}", boxedOnly.Prompt);
        Assert.Contains(boxedOnly.Statement, boxedOnly.Prompt);
    }

    [Fact]
    public void Aime_accepts_numeric_answers_and_capitalised_fields()
    {
        var result = Load(BenchmarkKind.Aime, "aime.jsonl");
        AssertErrors(result, (3, "missing field 'answer'"));
        Assert.Equal("2024-I-1", result.Problems[0].Id);
        Assert.Equal("24", result.Problems[0].ReferenceAnswer);
        Assert.Equal("2024", result.Problems[0].Metadata["year"]);
        Assert.True(MathAnswer.AreEquivalent(result.Problems[1].ReferenceAnswer!, "55"));
    }

    [Fact]
    public void HumanEval_builds_a_check_test_and_continues_the_prompt()
    {
        var result = Load(BenchmarkKind.HumanEval, "humaneval.jsonl");
        AssertErrors(result, (2, "not a Python identifier"), (3, "not valid JSON"));
        var problem = result.Problems[0];
        Assert.Equal("HumanEval/0", problem.Id);
        Assert.Equal(problem.Statement, problem.Prompt);
        Assert.Contains("\ndef ", problem.StopStrings);
        Assert.Equal("add", problem.Metadata["entry_point"]);
        var tests = problem.Tests!;
        Assert.Equal("check(add)", Assert.Single(tests.Cases).Source);
        Assert.Contains("def check(candidate)", tests.Setup);
        Assert.Equal(problem.Prompt + "    return a + b\n", tests.BuildProgram("    return a + b\n"));
    }

    [Fact]
    public void A_fenced_completion_replaces_the_continuation()
    {
        var problem = Load(BenchmarkKind.HumanEval, "humaneval.jsonl").Problems[0];
        string program = problem.Tests!.BuildProgram("Here you go:\n```python\ndef add(a, b):\n    return a + b\n```\nDone.");
        Assert.Equal(problem.Prompt + "\ndef add(a, b):\n    return a + b\n", program);
    }

    [Fact]
    public void Mbpp_turns_each_assert_into_a_test()
    {
        var result = Load(BenchmarkKind.Mbpp, "mbpp.jsonl");
        AssertErrors(result, (2, "'test_list' is empty"), (3, "missing array field 'test_list'"));
        var problem = result.Problems[0];
        Assert.Equal("2", problem.Id);
        Assert.Equal(["test 1", "test 2"], problem.Tests!.Cases.Select(c => c.Name));
        Assert.StartsWith("You are an expert Python programmer, and here is your task: Write a function", problem.Prompt);
        Assert.EndsWith("== set((3, 4))\n[BEGIN]\n", problem.Prompt);
        Assert.Equal(["[DONE]"], problem.StopStrings);
        Assert.Equal("def f(): pass\n", problem.Tests.BuildProgram("def f(): pass\n"));
    }

    private static BenchmarkLoadResult Read(BenchmarkKind kind, params string[] lines) =>
        BenchmarkLoader.Read(kind, new StringReader(string.Join("\n", lines)));

    [Fact]
    public void A_level_too_large_for_an_int_is_no_level_and_the_file_still_loads()
    {
        var result = Read(BenchmarkKind.Math,
            """{"problem": "p1", "answer": "1", "level": "Level 99999999999"}""",
            """{"problem": "p2", "answer": "2", "level": 3}""");
        Assert.Empty(result.Errors);
        Assert.Equal([null, 3], result.Problems.Select(p => p.Level));
    }

    [Fact]
    public void A_string_with_a_lone_surrogate_escape_is_a_bad_line_not_the_end_of_the_load()
    {
        var result = Read(BenchmarkKind.Gsm8k,
            """{"question": "q1 \ud800", "answer": "#### 1"}""",
            """{"question": "q2", "answer": "#### 2", "note": "\udc00"}""",
            """{"question": "q3", "answer": "#### 3"}""");
        Assert.Equal([3], result.Problems.Select(p => p.LineNumber));
        AssertErrors(result, (1, "surrogate"), (2, "surrogate"));
    }

    [Fact]
    public void A_blank_answer_is_a_bad_line_not_a_problem_nothing_can_solve()
    {
        var math = Read(BenchmarkKind.Math,
            """{"problem": "p1", "answer": ""}""",
            """{"problem": "p2", "answer": " ", "solution": "So \\boxed{4}."}""",
            """{"problem": "p3", "solution": "So \\boxed{}."}""");
        AssertErrors(math, (1, "'answer'"), (3, "'answer'"));
        Assert.Equal("4", Assert.Single(math.Problems).ReferenceAnswer);

        var aime = Read(BenchmarkKind.Aime, """{"problem": "p", "answer": "  "}""");
        AssertErrors(aime, (1, "field 'answer' is empty"));
    }

    [Fact]
    public void Gsm8k_final_answer_is_the_rest_of_the_hashes_line()
    {
        var result = Read(BenchmarkKind.Gsm8k, """{"question": "q", "answer": "2 + 3 = 5\n#### 5\n\nExplanation: five."}""");
        Assert.Equal("5", Assert.Single(result.Problems).ReferenceAnswer);
    }

    [Fact]
    public void A_missing_file_is_a_clear_error()
    {
        var error = Assert.Throws<FileNotFoundException>(() => BenchmarkLoader.Load(BenchmarkKind.Math, "/nonexistent/math.jsonl"));
        Assert.Contains("/nonexistent/math.jsonl", error.Message);
    }

    [Theory]
    [InlineData("gsm8k", BenchmarkKind.Gsm8k)]
    [InlineData("MATH", BenchmarkKind.Math)]
    [InlineData("math500", BenchmarkKind.Math)]
    [InlineData("math-500", BenchmarkKind.Math)]
    [InlineData("aime", BenchmarkKind.Aime)]
    [InlineData("humaneval", BenchmarkKind.HumanEval)]
    [InlineData("mbpp", BenchmarkKind.Mbpp)]
    public void Kind_names_parse(string name, BenchmarkKind kind) => Assert.Equal(kind, BenchmarkKindNames.Parse(name));

    [Fact]
    public void An_unknown_kind_lists_the_names() =>
        Assert.Contains("gsm8k, math, aime, humaneval, mbpp", Assert.Throws<ArgumentException>(() => BenchmarkKindNames.Parse("mmlu")).Message);
}
