using Ponder.Tasks.Benchmarks;
using Ponder.Tasks.Grading;

namespace Ponder.Tasks.Tests.Grading;

public sealed class CodeAnswerKeyTests
{
    private static readonly CodeAnswerKey HumanEval = new(BenchmarkPrompts.HumanEvalStops);

    [Fact]
    public void The_answer_is_the_code_before_the_first_stop_string_without_trailing_space()
    {
        Assert.Equal("    return a + b", HumanEval.ExtractAnswer("    return a + b   \n\n\ndef more():\n    pass\n"));
        Assert.Equal("    return a + b", HumanEval.ExtractAnswer("    return a + b\n\ndef "));
        Assert.Null(HumanEval.ExtractAnswer("\n\n#"));
    }

    [Fact]
    public void A_fenced_block_is_the_answer_whole_even_past_a_stop_string()
    {
        const string chat = "Sure:\n```python\ndef add(a, b):\n    return a + b\n```\nDone.";
        Assert.Equal("def add(a, b):\n    return a + b", HumanEval.ExtractAnswer(chat));
    }

    [Fact]
    public void Programs_are_equivalent_only_when_identical()
    {
        Assert.True(HumanEval.AreEquivalent("    return a + b", "    return a + b"));
        Assert.False(HumanEval.AreEquivalent("    return a + b", "    return b + a"));
    }

    [Fact]
    public void A_program_is_built_from_the_completion_cut_at_the_stop_string()
    {
        var suite = new CodeTestSuite("def f():\n", "", []) { StopStrings = BenchmarkPrompts.HumanEvalStops };
        Assert.Equal("def f():\n    return 1\n", suite.BuildProgram("    return 1\n\nif __name__ == '__main__':\n    f()\n"));
    }
}
