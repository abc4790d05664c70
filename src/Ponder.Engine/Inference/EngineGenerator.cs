// The embedded engine behind the core generator contract. One call prefills the prefix once, forks N sequences that
// share its K/V, and decodes them as one batch until each stops (end of sequence, a stop string, max tokens or the
// context length). Sequence i samples from its own generator seeded by (seed, i), so its text is the same whatever
// else is in the batch. Within a strategy run (BeginRun), a prefix is prefilled only past what an earlier request of
// the run computed: a search that extends a partial solution step by step pays for each step once.

using Ponder;
using System.Diagnostics;
using Ponder.Engine.Model;
using Ponder.Generation;

namespace Ponder.Engine.Inference;

/// <summary>An <see cref="ITextGenerator"/> over an <see cref="EngineModel"/>. Safe to call concurrently.</summary>
public sealed class EngineGenerator : ITextGenerator
{
    private readonly InferenceEngine _engine;
    private readonly bool _sharePrefix;
    private readonly System.Collections.Concurrent.ConcurrentBag<InferenceEngine.Workspace> _workspaces = [];

    /// <summary>Serves <paramref name="model"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="sharePrefix">
    /// Whether the continuations of one request share the prefix's K/V (computed once). Turning it off prefills the
    /// prefix once per continuation; the texts are identical either way, only the cost differs.
    /// </param>
    public EngineGenerator(EngineModel model, bool sharePrefix = true)
    {
        Model = model;
        _sharePrefix = sharePrefix;
        _engine = new InferenceEngine(model.Model);
        Card = model.Card;
    }

    /// <summary>The model served.</summary>
    public EngineModel Model { get; }

    /// <inheritdoc />
    public ModelCard Card { get; }

    /// <summary>How many times a prefix was prefilled (computed rather than shared) since construction.</summary>
    public long PrefixPrefills => Interlocked.Read(ref _prefixPrefills);
    private long _prefixPrefills;

    /// <inheritdoc />
    public Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default) =>
        GenerateAsync(request, cache: null, cancellationToken);

    /// <summary>A generator for one strategy run, whose requests reuse the K/V of prefixes its earlier requests computed;
    /// with <c>sharePrefix</c> off it caches nothing.</summary>
    public ITextGenerator BeginRun() => new Run(this, _sharePrefix ? new PrefixCache(_engine) : null);

    private Task<GenerationResult> GenerateAsync(GenerationRequest request, PrefixCache? cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        return Task.Run(() => Generate(request, cache, cancellationToken), cancellationToken);
    }

    private sealed class Run(EngineGenerator generator, PrefixCache? cache) : ITextGenerator
    {
        public ModelCard? Card => generator.Card;

        public Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default) =>
            generator.GenerateAsync(request, cache, cancellationToken);
    }

    /// <summary>Tokens of <paramref name="text"/> as the model sees a prefix: BOS first when the tokenizer adds it.</summary>
    public int[] EncodePrefix(string text)
    {
        var ids = Model.Tokenizer.Encode(text);
        return Model.Tokenizer.AddBos ? [Model.Tokenizer.Bos, .. ids] : ids;
    }

    private GenerationResult Generate(GenerationRequest request, PrefixCache? cache, CancellationToken cancellationToken)
    {
        var tokenizer = Model.Tokenizer;
        int context = Model.Model.Config.ContextLength;
        int[] prompt = EncodePrefix(request.Prefix);
        if (prompt.Length == 0) throw new ArgumentException("the prefix is empty and the model adds no BOS token: nothing to condition on");
        if (prompt.Length >= context)
            throw new ArgumentException($"the prefix has {prompt.Length} tokens; the model's context length is {context}");
        var settings = new SamplingSettings(request.Sampling.Temperature ?? 1f, request.Sampling.TopP ?? 1f, request.Sampling.TopK ?? 0);
        ulong seed = request.Sampling.Seed ?? (ulong)Random.Shared.NextInt64();
        int maxNew = Math.Min(request.MaxTokens, context - prompt.Length);

        var ws = _workspaces.TryTake(out var pooled) ? pooled : new InferenceEngine.Workspace();
        var owned = new List<InferenceSequence>();
        var streams = new Stream[request.Count];
        InferenceSequence? root = null;
        int reused = 0;
        try
        {
            var scratch = new Sampler.Scratch(tokenizer.VocabularySize);
            if (_sharePrefix)
            {
                root = cache?.Resume(prompt, out reused) ?? _engine.NewSequence([], prompt.Length);
                owned.Add(root);
                var rootLogits = _engine.Forward([root], [prompt[reused..]], ws).ToArray();
                Interlocked.Increment(ref _prefixPrefills);
                for (int i = 0; i < streams.Length; i++)
                {
                    streams[i] = new Stream(_engine.NewSequence(root.Fork(), maxNew), SplitMix64.Derive(seed, (ulong)i));
                    owned.Add(streams[i].Sequence);
                    Advance(streams[i], rootLogits, settings, request, maxNew, scratch);
                }
            }
            else
            {
                for (int i = 0; i < streams.Length; i++)
                {
                    streams[i] = new Stream(_engine.NewSequence([], prompt.Length + maxNew), SplitMix64.Derive(seed, (ulong)i));
                    owned.Add(streams[i].Sequence);
                    var logits = _engine.Forward([streams[i].Sequence], [prompt], ws);
                    Interlocked.Increment(ref _prefixPrefills);
                    Advance(streams[i], logits, settings, request, maxNew, scratch);
                }
            }

            var active = new List<Stream>(streams.Length);
            var sequences = new List<InferenceSequence>(streams.Length);
            var next = new List<int[]>(streams.Length);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                active.Clear(); sequences.Clear(); next.Clear();
                foreach (var s in streams)
                {
                    if (s.Finish is not null) continue;
                    active.Add(s);
                    sequences.Add(s.Sequence);
                    s.NextToken[0] = s.Tokens[^1];
                    next.Add(s.NextToken);
                }
                if (active.Count == 0) break;
                var logits = _engine.Forward(sequences, next, ws);
                int vocab = tokenizer.VocabularySize;
                for (int i = 0; i < active.Count; i++)
                    Advance(active[i], logits.Slice(i * vocab, vocab), settings, request, maxNew, scratch);
            }
            if (cache is not null && root is not null)
                foreach (var s in streams)
                    cache.Keep([.. prompt, .. s.Tokens], new SegmentView(root.Own, root.Own.Length), s.Sequence.Own);
        }
        finally
        {
            foreach (var sequence in owned) sequence.Own.Release();
            _workspaces.Add(ws);
        }

        return new GenerationResult(streams.Select((s, i) => new Continuation(
            s.Text, s.Finish!.Value, prompt.Length, _sharePrefix && i > 0 ? prompt.Length : reused, s.Tokens.Count,
            request.ReturnLogProbs ? s.LogProbs : null)).ToArray());
    }

    // Samples the next token of one stream from its logits and decides whether the stream is done.
    private void Advance(Stream s, ReadOnlySpan<float> logits, SamplingSettings settings, GenerationRequest request, int maxNew, Sampler.Scratch scratch)
    {
        var tokenizer = Model.Tokenizer;
        int token = Sampler.Sample(logits, settings, s.Rng, scratch, out float logProb);
        s.Tokens.Add(token);
        if (token == tokenizer.Eos)
        {
            s.LogProbs.Add(new TokenLogProb("", logProb));
            s.Finish = FinishReason.EndOfSequence;
            return;
        }
        s.LogProbs.Add(new TokenLogProb(tokenizer.TokenText(token), logProb));
        int searchFrom = s.Text.Length;
        // Decoding the whole list keeps multi-byte characters spelled by byte tokens intact.
        s.Text = tokenizer.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(s.Tokens));
        foreach (string stop in request.Stop)
        {
            int at = s.Text.IndexOf(stop, Math.Max(0, searchFrom - stop.Length + 1), StringComparison.Ordinal);
            if (at >= 0)
            {
                s.Text = s.Text[..(at + stop.Length)];
                s.Finish = FinishReason.Stop;
                return;
            }
        }
        if (s.Tokens.Count >= maxNew) s.Finish = FinishReason.Length;
        Debug.Assert(s.Sequence.Position <= Model.Model.Config.ContextLength);
    }

    private sealed class Stream(InferenceSequence sequence, ulong seed)
    {
        public InferenceSequence Sequence { get; } = sequence;
        public SplitMix64 Rng { get; } = new(seed);
        public List<int> Tokens { get; } = [];
        public int[] NextToken { get; } = new int[1];
        public List<TokenLogProb> LogProbs { get; } = [];
        public string Text { get; set; } = "";
        public FinishReason? Finish { get; set; }
    }
}
