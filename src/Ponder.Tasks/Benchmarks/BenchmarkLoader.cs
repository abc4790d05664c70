using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ponder.Tasks.CodeExecution;
using Ponder.Tasks.Grading;

namespace Ponder.Tasks.Benchmarks;

/// <summary>A line of a benchmark file that could not be read; the rest of the file still loads.</summary>
/// <param name="LineNumber">1-based line number.</param>
/// <param name="Message">What is wrong, e.g. <c>missing string field 'question'</c>.</param>
public sealed record BenchmarkLoadError(int LineNumber, string Message)
{
    /// <summary>E.g. <c>line 7: not valid JSON: …</c>.</summary>
    public override string ToString() => $"line {LineNumber}: {Message}";
}

/// <summary>What a benchmark file held: the problems that loaded, in file order, and the lines that did not.</summary>
/// <param name="Problems">Problems read, in file order.</param>
/// <param name="Errors">Lines skipped, in file order.</param>
public sealed record BenchmarkLoadResult(IReadOnlyList<BenchmarkProblem> Problems, IReadOnlyList<BenchmarkLoadError> Errors);

/// <summary>
/// Reads benchmark problems from JSONL files: one JSON object per line, with the fields <see cref="BenchmarkKind"/>
/// lists. Field names match case-insensitively (some AIME files write <c>Problem</c>, <c>Answer</c>); blank lines are
/// skipped. A line that is not a JSON object, lacks a required field or repeats an id is reported in
/// <see cref="BenchmarkLoadResult.Errors"/> with its line number, and loading goes on: one bad line must not end a long
/// run (DESIGN.md §10).
/// </summary>
/// <remarks>Stateless; safe to call from any thread.</remarks>
public static partial class BenchmarkLoader
{
    private static readonly string[] IdFields = ["unique_id", "task_id", "id"];

    /// <summary>Loads the JSONL file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static BenchmarkLoadResult Load(BenchmarkKind kind, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"benchmark file not found: {path}", path);
        using var reader = new StreamReader(path);
        return Read(kind, reader);
    }

    /// <summary>Reads JSONL from <paramref name="reader"/> to its end.</summary>
    public static BenchmarkLoadResult Read(BenchmarkKind kind, TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var problems = new List<BenchmarkProblem>();
        var errors = new List<BenchmarkLoadError>();
        var firstLineOfId = new Dictionary<string, int>(StringComparer.Ordinal);
        int lineNumber = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                var problem = ParseLine(kind, line, lineNumber);
                if (firstLineOfId.TryGetValue(problem.Id, out int first))
                {
                    errors.Add(new BenchmarkLoadError(lineNumber, $"duplicate id '{problem.Id}' (first on line {first})"));
                    continue;
                }
                firstLineOfId[problem.Id] = lineNumber;
                problems.Add(problem);
            }
            catch (JsonException e)
            {
                errors.Add(new BenchmarkLoadError(lineNumber, $"not valid JSON: {e.Message}"));
            }
            catch (FormatException e)
            {
                errors.Add(new BenchmarkLoadError(lineNumber, e.Message));
            }
            catch (InvalidOperationException e)
            {
                // JsonDocument accepts a lone surrogate escape such as "\ud800" and throws only when the string or
                // property name is read, in whichever field that happens to be.
                errors.Add(new BenchmarkLoadError(lineNumber, $"not valid text: {e.Message}"));
            }
        }
        return new BenchmarkLoadResult(problems, errors);
    }

    private static BenchmarkProblem ParseLine(BenchmarkKind kind, string line, int lineNumber)
    {
        using var document = JsonDocument.Parse(line);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new FormatException($"expected a JSON object, found {document.RootElement.ValueKind.ToString().ToLowerInvariant()}");
        var fields = new Fields(document.RootElement);
        var problem = kind switch
        {
            BenchmarkKind.Gsm8k => Gsm8k(fields, lineNumber),
            BenchmarkKind.Math => MathProblem(fields, lineNumber),
            BenchmarkKind.Aime => Aime(fields, lineNumber),
            BenchmarkKind.HumanEval => HumanEval(fields, lineNumber),
            BenchmarkKind.Mbpp => Mbpp(fields, lineNumber),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
        string id = IdFields.Select(fields.OptionalScalar).FirstOrDefault(v => v is { Length: > 0 })
                    ?? $"{kind.Name()}-{StableHash.Of(problem.Statement):x16}";
        return problem with { Id = id, Metadata = fields.Unused() };
    }

    private static BenchmarkProblem Gsm8k(Fields fields, int lineNumber)
    {
        string question = fields.RequiredString("question");
        string solution = fields.RequiredString("answer");
        int hashes = solution.LastIndexOf("####", StringComparison.Ordinal);
        // The final answer is the rest of the "####" line, as MathAnswer.Extract reads it: text on later lines would
        // make a reference that no answer equals.
        int lineEnd = hashes < 0 ? -1 : solution.IndexOf('\n', hashes);
        string final = hashes < 0 ? "" : solution[(hashes + 4)..(lineEnd < 0 ? solution.Length : lineEnd)].Trim();
        if (final.Length == 0) throw new FormatException("field 'answer' has no '#### <final answer>' line");
        return MathKind(BenchmarkKind.Gsm8k, question, final, solution, lineNumber);
    }

    private static BenchmarkProblem MathProblem(Fields fields, int lineNumber)
    {
        string problem = fields.RequiredString("problem");
        string? solution = fields.OptionalString("solution");
        // The original MATH files have no answer field: the answer is the solution's last \boxed{}.
        // A blank answer is no answer: no model output is equivalent to it, so the problem could only count as failed.
        string answer = NonBlank(fields.OptionalScalar("answer")) ?? (solution is null ? null : NonBlank(MathAnswerBoxed(solution)))
                        ?? throw new FormatException("needs a non-empty 'answer' field or a 'solution' with a \\boxed{} answer");
        string? subject = fields.OptionalString("subject") ?? fields.OptionalString("type");
        int? level = ParseLevel(fields.OptionalScalar("level"));
        // Level and subject are typed properties for difficulty bins, and stay in the metadata as the file wrote them.
        fields.Keep("level");
        fields.Keep("subject");
        fields.Keep("type");
        return MathKind(BenchmarkKind.Math, problem, answer, solution, lineNumber) with { Level = level, Subject = subject };
    }

    private static BenchmarkProblem Aime(Fields fields, int lineNumber) =>
        MathKind(BenchmarkKind.Aime, fields.RequiredString("problem"), fields.RequiredScalar("answer"), fields.OptionalString("solution"), lineNumber);

    private static BenchmarkProblem MathKind(BenchmarkKind kind, string statement, string answer, string? solution, int lineNumber) => new()
    {
        Id = "",
        Kind = kind,
        Statement = statement,
        Prompt = BenchmarkPrompts.Math(statement),
        ReferenceAnswer = answer,
        ReferenceSolution = solution,
        LineNumber = lineNumber,
    };

    private static BenchmarkProblem HumanEval(Fields fields, int lineNumber)
    {
        string prompt = fields.RequiredString("prompt");
        string test = fields.RequiredString("test");
        string entryPoint = fields.RequiredString("entry_point");
        if (!IdentifierPattern().IsMatch(entryPoint)) throw new FormatException($"entry_point '{entryPoint}' is not a Python identifier");
        fields.Keep("entry_point");
        string call = $"check({entryPoint})";
        return new BenchmarkProblem
        {
            Id = "",
            Kind = BenchmarkKind.HumanEval,
            Statement = prompt,
            Prompt = prompt,
            StopStrings = BenchmarkPrompts.HumanEvalStops,
            ReferenceSolution = fields.OptionalString("canonical_solution"),
            Tests = new CodeTestSuite(prompt, test, [new PythonTest(call, call)]) { StopStrings = BenchmarkPrompts.HumanEvalStops },
            LineNumber = lineNumber,
        };
    }

    private static BenchmarkProblem Mbpp(Fields fields, int lineNumber)
    {
        string text = fields.RequiredString("text");
        var asserts = fields.RequiredStringArray("test_list");
        if (asserts.Count == 0) throw new FormatException("field 'test_list' is empty");
        return new BenchmarkProblem
        {
            Id = "",
            Kind = BenchmarkKind.Mbpp,
            Statement = text,
            Prompt = BenchmarkPrompts.Mbpp(text, asserts),
            StopStrings = BenchmarkPrompts.MbppStops,
            ReferenceSolution = fields.OptionalString("code"),
            Tests = new CodeTestSuite("", fields.OptionalString("test_setup_code") ?? "", asserts.Select((a, i) => new PythonTest($"test {i + 1}", a)).ToArray())
            {
                StopStrings = BenchmarkPrompts.MbppStops,
            },
            LineNumber = lineNumber,
        };
    }

    private static string? NonBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static string? MathAnswerBoxed(string solution) => solution.Contains("\\boxed", StringComparison.Ordinal) || solution.Contains("\\fbox", StringComparison.Ordinal)
        ? MathAnswer.Extract(solution)
        : null;

    // A level that is no int (MATH has "Level ?") is no level, like a missing one: the problem still loads.
    private static int? ParseLevel(string? level) =>
        level is not null && LevelPattern().Match(level) is { Success: true } m &&
        int.TryParse(m.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) ? parsed : null;

    [GeneratedRegex(@"\d+")]
    private static partial Regex LevelPattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierPattern();

    // The fields of one line, matched case-insensitively; remembers which were read so the rest become metadata.
    private sealed class Fields(JsonElement root)
    {
        private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

        public string RequiredString(string name) =>
            OptionalString(name) ?? throw new FormatException($"missing string field '{name}'");

        public string RequiredScalar(string name) => OptionalScalar(name) switch
        {
            null => throw new FormatException($"missing field '{name}' (a string or a number)"),
            var text when string.IsNullOrWhiteSpace(text) => throw new FormatException($"field '{name}' is empty"),
            var text => text,
        };

        public string? OptionalString(string name)
        {
            if (Find(name) is not { } value || value.ValueKind == JsonValueKind.Null) return null;
            if (value.ValueKind != JsonValueKind.String) throw new FormatException($"field '{name}' must be a string, found {value.ValueKind.ToString().ToLowerInvariant()}");
            return value.GetString();
        }

        public string? OptionalScalar(string name) => Find(name) is { } value ? ScalarText(value) : null;

        public IReadOnlyList<string> RequiredStringArray(string name)
        {
            if (Find(name) is not { ValueKind: JsonValueKind.Array } array) throw new FormatException($"missing array field '{name}'");
            return array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String
                ? e.GetString()!
                : throw new FormatException($"field '{name}' must hold only strings")).ToArray();
        }

        // A field read for the problem that should also stay visible as metadata.
        public void Keep(string name) => _used.Remove(name);

        public IReadOnlyDictionary<string, string> Unused()
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
                if (!_used.Contains(property.Name) && ScalarText(property.Value) is { } text) metadata[property.Name] = text;
            return metadata;
        }

        private JsonElement? Find(string name)
        {
            foreach (var property in root.EnumerateObject())
            {
                if (!string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) continue;
                _used.Add(property.Name);
                return property.Value;
            }
            return null;
        }

        private static string? ScalarText(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        };
    }
}
