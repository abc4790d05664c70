using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ponder.Tasks.Benchmarks;
using Ponder.Tasks.Grading;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder grade</c>: whether an answer matches the expected one under a task's answer key.</summary>
internal static class GradeCommand
{
    // Readable LaTeX in the output: backslashes are escaped as JSON requires, but '+' or '<' are left as they are.
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = "Answer key to use: gsm8k, math or aime (all use the math key)", Required = true };
        var expected = new Option<string>("--expected", "-e") { Description = "The reference answer, e.g. \\frac{1}{2}", Required = true };
        var answer = new Option<string>("--answer", "-a") { Description = "The answer to grade, e.g. 0.5", Required = true };
        var command = new Command("grade", "Compare an answer with the expected one; prints {\"equivalent\", \"expected\", \"answer\"} with the normalised forms")
        {
            task, expected, answer,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(() =>
        {
            var kind = BenchmarkKindNames.Parse(parse.GetValue(task)!);
            if (kind.IsCode()) throw new UserError($"{kind.Name()} answers are programs, graded by running their tests, not by an answer key");
            string e = parse.GetValue(expected)!, a = parse.GetValue(answer)!;
            var verdict = new { equivalent = MathAnswer.AreEquivalent(e, a), expected = MathAnswer.Normalize(e), answer = MathAnswer.Normalize(a) };
            Console.Out.WriteLine(JsonSerializer.Serialize(verdict, Json));
            return Task.FromResult(0);
        }));
        return command;
    }
}
