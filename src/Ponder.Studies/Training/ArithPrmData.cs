using Ponder;
using System.Text.Json;
using Ponder.Engine.Inference;
using Ponder.Engine.Model;
using Ponder.Engine.Tokenization;
using Ponder.Engine.Training;
using Ponder.Studies.Evaluation;
using Ponder.Tasks.Arith;

namespace Ponder.Studies.Training;

/// <summary>A policy sample of a train problem, as stored in a PRM run's sample file.</summary>
public sealed record PolicySample(string Expression, int Level, string Solution);

/// <summary>
/// Training batches for the arith PRM: policy samples rendered as <c>&lt;s&gt; prompt step\n# step\n# …</c>
/// (<see cref="PrmFormat.Arith"/>); the target at every tag is '+' when the exact checker finds the solution so far
/// error-free and '-' otherwise, and only tags carry loss. Documents are packed into rows like the policy's.
/// </summary>
public sealed class ArithPrmData : ITrainingData
{
    private readonly CharTokenizer _tokenizer;
    private readonly IReadOnlyList<(int[] Tokens, int[] Labels)> _documents;
    private readonly int _length;
    private readonly ulong _seed;

    /// <summary>Labels <paramref name="samples"/> with the checker and tokenizes them once.</summary>
    public ArithPrmData(CharTokenizer tokenizer, IReadOnlyList<PolicySample> samples, int sequenceLength, ulong seed)
    {
        if (samples.Count == 0) throw new ArgumentException("no policy samples to learn from");
        _tokenizer = tokenizer;
        _length = sequenceLength;
        _seed = seed;
        int plus = tokenizer.Encode("+")[0], minus = tokenizer.Encode("-")[0], tag = tokenizer.Encode("#")[0];
        _documents = samples.Select(sample =>
        {
            var problem = ArithProblem.Parse(sample.Expression, sample.Level);
            var lines = ArithChecker.Check(problem, sample.Solution).Lines;
            var tokens = new List<int> { tokenizer.Bos };
            tokens.AddRange(tokenizer.Encode(PrmFormat.Arith.Render(ArithTask.Prompt(problem), lines.Select(l => l.Text))));
            // the label of the k-th tag is the k-th line's verdict
            var labels = new int[tokens.Count];
            int line = 0;
            int promptEnd = 1 + tokenizer.Encode(ArithTask.Prompt(problem)).Length;
            for (int i = promptEnd; i < tokens.Count; i++)
                if (tokens[i] == tag) labels[i] = lines[line++].PrefixCorrect ? plus : minus;
            return (tokens.ToArray(), labels);
        }).ToArray();
    }

    /// <summary>
    /// <paramref name="samples"/> followed, for each distinct problem among them (in order of first appearance), by its
    /// canonical solution and <paramref name="corruptions"/> corrupted copies of random error kinds (<see cref="ArithCorruptor"/>),
    /// as documents of the same shape. Deterministic for a seed.
    /// </summary>
    public static IReadOnlyList<PolicySample> WithContrast(IReadOnlyList<PolicySample> samples, int corruptions, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfNegative(corruptions);
        if (corruptions == 0) return samples;
        var rng = new SplitMix64(SplitMix64.Derive(seed, 0xC0FFEE));
        var kinds = Enum.GetValues<ArithErrorKind>();
        var contrast = samples.DistinctBy(s => (s.Expression, s.Level)).SelectMany(sample =>
        {
            var problem = ArithProblem.Parse(sample.Expression, sample.Level);
            return Enumerable.Range(0, corruptions)
                .Select(_ => ArithCorruptor.Corrupt(problem, rng.Pick(kinds), rng).Text)
                .Prepend(ArithTask.Solution(problem))
                .Select(text => new PolicySample(sample.Expression, sample.Level, text))
                .ToArray();
        });
        return [.. samples, .. contrast];
    }

    /// <summary>The PRM's tokenizer: the policy alphabet plus the tag '#'.</summary>
    public static CharTokenizer CreateTokenizer() =>
        CharTokenizer.FromAlphabet(ArithPolicyData.Alphabet + PrmFormat.Arith.Tag, addBos: true, byteFallback: false);

    /// <summary>Share of tags labelled '+' (for the model card and sanity checks).</summary>
    public double PlusShare
    {
        get
        {
            int plus = _tokenizer.Encode("+")[0], total = 0, positive = 0;
            foreach (var (_, labels) in _documents)
                foreach (int label in labels)
                    if (label != 0) { total++; if (label == plus) positive++; }
            return total == 0 ? 0 : (double)positive / total;
        }
    }

    /// <inheritdoc />
    public void FillBatch(long step, int[] inputs, int[] targets, float[] mask)
    {
        int rows = inputs.Length / _length;
        var rng = new SplitMix64(SplitMix64.Derive(_seed, (ulong)step));
        for (int row = 0; row < rows; row++)
        {
            int filled = 0, offset = row * _length;
            while (filled < _length)
            {
                var (tokens, labels) = _documents[rng.NextInt(0, _documents.Count - 1)];
                int take = Math.Min(tokens.Length, _length - filled);
                if (take < tokens.Length && filled > 0) break;
                for (int i = 0; i < take; i++)
                {
                    inputs[offset + filled + i] = tokens[i];
                    targets[offset + filled + i] = labels[i];
                    mask[offset + filled + i] = labels[i] != 0 ? 1f : 0f;
                }
                filled += take;
            }
            for (int i = filled; i < _length; i++)
            {
                inputs[offset + i] = _tokenizer.Eos;
                targets[offset + i] = _tokenizer.Eos;
                mask[offset + i] = 0f;
            }
        }
    }

    /// <summary>
    /// The samples a PRM run learns from: read from <paramref name="path"/> when a previous session drew them, else
    /// drawn from the policy on distinct train problems and written there (atomically), so a resumed run sees the same data.
    /// </summary>
    public static async Task<IReadOnlyList<PolicySample>> LoadOrDrawSamplesAsync(string path, EngineModel policy, DataOptions data,
        IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        if (File.Exists(path))
        {
            var stored = new List<PolicySample>();
            int lineNumber = 0;
            foreach (var line in File.ReadLines(path))
            {
                lineNumber++;
                try { stored.Add(JsonSerializer.Deserialize<PolicySample>(line) ?? throw new JsonException("null sample")); }
                catch (JsonException e) { throw new InvalidDataException($"{path}:{lineNumber}: malformed sample: {e.Message}", e); }
            }
            return stored;
        }
        var problems = ArithSplits.Load(ArithSplit.Train, data.ProblemsPerLevel, data.Seed);
        var graded = await ArithEvaluation.SampleAsync(new EngineGenerator(policy), problems, data.SamplesPerProblem, data.SampleTemperature,
            data.Seed, progress is null ? null : new Progress<int>(i => progress.Report((i, problems.Count))), cancellationToken);
        var samples = graded.SelectMany(g => g.Solutions.Select(s => new PolicySample(g.Problem.Expression, g.Problem.Level, s))).ToArray();
        string temp = path + ".tmp";
        await File.WriteAllLinesAsync(temp, samples.Select(s => JsonSerializer.Serialize(s)), cancellationToken);
        File.Move(temp, path, overwrite: true);
        return samples;
    }
}
