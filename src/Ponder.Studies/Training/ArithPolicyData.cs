using Ponder;
using Ponder.Engine.Tokenization;
using Ponder.Engine.Training;
using Ponder.Tasks;
using Ponder.Tasks.Arith;

namespace Ponder.Studies.Training;

/// <summary>
/// Training batches for an arith policy: documents <c>&lt;s&gt; prompt completion &lt;/s&gt;</c> packed into rows of
/// T+1 tokens, the loss on completion tokens only (learn the solution, not the question). A share of documents are
/// revisions (wrong attempts in context, then the corrected solution). Problems come from
/// <see cref="ArithTrainingMix"/>, train split only.
/// </summary>
public sealed class ArithPolicyData : ITrainingData
{
    /// <summary>Every character the arith formats use.</summary>
    public const string Alphabet = "0123456789+-*=()QAWR:\n";

    private readonly CharTokenizer _tokenizer;
    private readonly DataOptions _options;
    private readonly int _length;

    /// <summary>Batches of rows of <paramref name="sequenceLength"/> tokens.</summary>
    public ArithPolicyData(CharTokenizer tokenizer, DataOptions options, int sequenceLength)
    {
        _tokenizer = tokenizer;
        _options = options;
        _length = sequenceLength;
    }

    /// <summary>The built-in models' tokenizer: the arith alphabet, BOS first, no byte fallback (keeps V small).</summary>
    public static CharTokenizer CreateTokenizer() => CharTokenizer.FromAlphabet(Alphabet, addBos: true, byteFallback: false);

    /// <inheritdoc />
    public void FillBatch(long step, int[] inputs, int[] targets, float[] mask)
    {
        int rows = inputs.Length / _length;
        var rng = new SplitMix64(SplitMix64.Derive(_options.Seed, (ulong)step));
        var tokens = new List<int>(_length + 1);
        var learn = new List<bool>(_length + 1);
        for (int row = 0; row < rows; row++)
        {
            tokens.Clear();
            learn.Clear();
            while (true)
            {
                var (prompt, completion) = NextDocument(rng);
                int size = 1 + prompt.Length + completion.Length + 1;
                if (tokens.Count + size > _length + 1 && tokens.Count > 0) break;
                tokens.Add(_tokenizer.Bos); learn.Add(false);
                foreach (int t in prompt) { tokens.Add(t); learn.Add(false); }
                foreach (int t in completion) { tokens.Add(t); learn.Add(true); }
                tokens.Add(_tokenizer.Eos); learn.Add(true);
                if (tokens.Count >= _length + 1) break;
            }
            while (tokens.Count < _length + 1) { tokens.Add(_tokenizer.Eos); learn.Add(false); }
            for (int i = 0; i < _length; i++)
            {
                inputs[row * _length + i] = tokens[i];
                targets[row * _length + i] = tokens[i + 1];
                mask[row * _length + i] = learn[i + 1] ? 1f : 0f;
            }
        }
    }

    private (int[] Prompt, int[] Completion) NextDocument(SplitMix64 rng)
    {
        var problem = ArithTrainingMix.SampleTrain(rng);
        if (rng.NextBool(_options.RevisionShare))
        {
            var revision = ArithTask.RevisionExample(problem, rng);
            return (_tokenizer.Encode(revision.Prompt), _tokenizer.Encode(revision.Completion));
        }
        return (_tokenizer.Encode(ArithTask.Prompt(problem)), _tokenizer.Encode(ArithTask.Solution(problem)));
    }
}
