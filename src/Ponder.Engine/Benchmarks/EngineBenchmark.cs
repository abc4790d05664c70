// Throughput of the engine, each figure beside the machine's FP32 FMA peak measured in the same run (this machine is
// shared and noisy, so only ratios measured together mean anything). FLOPs follow DESIGN.md §6: forward FLOPs per
// token at position t = 2·N_nonembed + 2·L·t·d_attn + 2·C·V.

using Ponder;
using System.Diagnostics;
using System.Text.Json.Serialization;
using Ponder.Engine.Inference;
using Ponder.Engine.Kernels;
using Ponder.Engine.Model;
using Ponder.Engine.Training;
using Ponder.Generation;

namespace Ponder.Engine.Benchmarks;

/// <summary>Figures of <see cref="EngineBenchmark.RunInference"/>.</summary>
public sealed record InferenceBenchmarkResult(
    string Model, long Parameters, double PeakGflops, double PeakGflopsOneCore,
    int PromptTokens,
    [property: JsonPropertyName("prefill_tokens_per_s")] double PrefillTokensPerSecond, double PrefillFractionOfPeak,
    [property: JsonPropertyName("decode_tokens_per_s")] double DecodeTokensPerSecond, double DecodeFractionOfPeak,
    int Continuations,
    [property: JsonPropertyName("batched_decode_tokens_per_s")] double BatchedDecodeTokensPerSecond, double BatchedDecodeFractionOfPeak,
    int GeneratorTokensPerCall,
    [property: JsonPropertyName("generator_tokens_per_s")] double GeneratorTokensPerSecond,
    double SharedPrefixPrefills);

/// <summary>Figures of <see cref="EngineBenchmark.RunTraining"/>.</summary>
public sealed record TrainingBenchmarkResult(
    long Parameters, int BatchSize, int SequenceLength, int Steps, double PeakGflops,
    [property: JsonPropertyName("tokens_per_s")] double TokensPerSecond, double Gflops, double TrainFractionOfPeak, float FirstLoss, float LastLoss);

/// <summary>Measures inference and training throughput against the measured FMA peak.</summary>
public static class EngineBenchmark
{
    /// <summary>The FMA peak on all cores and on one core: the best of ten 100 ms windows each.</summary>
    public static (double All, double OneCore) MeasurePeak()
    {
        double Best(int threads) => Enumerable.Range(0, 10).Max(_ => FmaPeak.MeasureGflops(threads, TimeSpan.FromMilliseconds(100)));
        return (Best(Environment.ProcessorCount), Best(1));
    }

    /// <summary>
    /// Prefill of a <paramref name="promptTokens"/>-token prompt, single-sequence decode, batched decode of
    /// <paramref name="continuations"/> continuations of that one prompt (prefix shared), and the same request end to end
    /// through the generator (sampling, early end-of-sequence), which also counts how often the prompt was prefilled.
    /// </summary>
    /// <exception cref="ArgumentException">A count below 1, or prompt and new tokens beyond the context length; checked
    /// before the peak is measured, so a bad argument costs nothing.</exception>
    public static async Task<InferenceBenchmarkResult> RunInference(EngineModel model, int promptTokens = 64, int continuations = 64,
        int newTokens = 64, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var card = model.Card;
        int context = model.Model.Config.ContextLength;
        if (promptTokens < 1) throw new ArgumentException($"prompt tokens must be ≥ 1, got {promptTokens}");
        if (continuations < 1) throw new ArgumentException($"continuations must be ≥ 1, got {continuations}");
        if (newTokens < 1) throw new ArgumentException($"new tokens must be ≥ 1, got {newTokens}");
        if (promptTokens + newTokens > context)
            throw new ArgumentException($"prompt ({promptTokens}) + new tokens ({newTokens}) exceed the context length {context}");
        progress?.Report("measuring FMA peak");
        var (peak, peakOne) = MeasurePeak();
        var engine = new InferenceEngine(model.Model);
        var ws = new InferenceEngine.Workspace();
        int[] prompt = PromptTokens(model, promptTokens);

        progress?.Report("prefill");
        double prefillSeconds = Measure(() =>
        {
            var seq = engine.NewSequence([], promptTokens);
            engine.Forward([seq], [prompt], ws);
        }, cancellationToken);
        double prefillTps = promptTokens / prefillSeconds;
        double prefillFlops = card.ForwardFlops(0, promptTokens) / prefillSeconds;

        progress?.Report("single-sequence decode");
        var rng = new SplitMix64(1);
        double decodeSeconds = Measure(() =>
        {
            var seq = engine.NewSequence([], promptTokens + newTokens);
            engine.Forward([seq], [prompt], ws);
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < newTokens; i++) engine.Forward([seq], [[rng.NextInt(0, card.VocabularySize - 1)]], ws);
            return sw.Elapsed.TotalSeconds;
        }, cancellationToken);
        double decodeTps = newTokens / decodeSeconds;
        double decodeFlops = card.ForwardFlops(promptTokens, promptTokens + newTokens) / decodeSeconds;

        progress?.Report($"batched decode: {continuations} continuations of one prompt");
        // Decode throughput at a fixed shape: the prompt prefilled once, then every continuation decodes newTokens
        // tokens (no early end-of-sequence), as llama-bench measures it.
        double batchedSeconds = Measure(() =>
        {
            var root = engine.NewSequence([], promptTokens);
            engine.Forward([root], [prompt], ws);
            var children = Enumerable.Range(0, continuations).Select(_ => engine.NewSequence(root.Fork(), newTokens)).ToArray();
            var next = children.Select(_ => new int[1]).ToArray();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < newTokens; i++)
            {
                foreach (var token in next) token[0] = rng.NextInt(0, card.VocabularySize - 1);
                engine.Forward(children, next, ws);
            }
            double seconds = sw.Elapsed.TotalSeconds;
            root.Own.Release();
            foreach (var child in children) child.Own.Release();
            return seconds;
        }, cancellationToken);
        double batchedTps = (double)continuations * newTokens / batchedSeconds;
        double batchedFlops = continuations * card.ForwardFlops(promptTokens, promptTokens + newTokens) / batchedSeconds;

        progress?.Report("generator: sampling, stop conditions and prefix sharing end to end");
        var generator = new EngineGenerator(model);
        var request = new GenerationRequest
        {
            Prefix = model.Tokenizer.Decode(prompt.AsSpan(model.Tokenizer.AddBos ? 1 : 0)),
            Count = continuations, MaxTokens = newTokens,
            Sampling = new SamplingOptions { Temperature = 1f, Seed = 7 },
        };
        await generator.GenerateAsync(request, cancellationToken); // warm-up: pooled KV storage and workspaces
        long prefillsBefore = generator.PrefixPrefills;
        int generated = 0, calls = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < 1 || calls < 3)
        {
            var result = await generator.GenerateAsync(request with { Sampling = request.Sampling with { Seed = (ulong)calls } }, cancellationToken);
            calls++;
            generated += result.GeneratedTokens;
        }
        double generatorTps = generated / watch.Elapsed.TotalSeconds;
        double sharedPrefills = (double)(generator.PrefixPrefills - prefillsBefore) / calls;

        return new InferenceBenchmarkResult(
            model.Name, card.Parameters, peak, peakOne,
            promptTokens, prefillTps, prefillFlops / 1e9 / peak,
            decodeTps, decodeFlops / 1e9 / peak,
            continuations, batchedTps, batchedFlops / 1e9 / peak, generated / calls, generatorTps,
            sharedPrefills);
    }

    /// <summary>Runs <paramref name="steps"/> timed training steps after two warm-up steps.</summary>
    public static TrainingBenchmarkResult RunTraining(LlamaModel model, TrainingOptions options, ITrainingData data, int steps,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var (peak, _) = MeasurePeak();
        var trainer = new Trainer(model, options with { Steps = steps + 2 }, data);
        float first = trainer.TrainStep().Loss;
        trainer.TrainStep();
        var watch = Stopwatch.StartNew();
        float last = first;
        for (int i = 0; i < steps; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            last = trainer.TrainStep().Loss;
            progress?.Report(i + 1);
        }
        double seconds = watch.Elapsed.TotalSeconds;
        double gflops = trainer.FlopsPerStep * steps / seconds / 1e9;
        return new TrainingBenchmarkResult(model.Layout.Count, trainer.TokensPerStep / (options.SequenceLength ?? model.Config.ContextLength),
            options.SequenceLength ?? model.Config.ContextLength, steps, peak,
            trainer.TokensPerStep * steps / seconds, gflops, gflops / peak, first, last);
    }

    // A prompt that reads like the model's own text: its alphabet cycled, BOS first when the tokenizer adds it.
    private static int[] PromptTokens(EngineModel model, int count)
    {
        var tokenizer = model.Tokenizer;
        var prompt = new int[count];
        int start = 0;
        if (tokenizer.AddBos) prompt[start++] = tokenizer.Bos;
        // Character tokens follow <unk>, <s>, </s>; the 256 byte-fallback tokens come last.
        int firstCharacter = 3;
        int characters = Math.Max(1, tokenizer.VocabularySize - firstCharacter - (tokenizer.ByteFallback ? 256 : 0));
        for (int i = start; i < count; i++) prompt[i] = firstCharacter + (i - start) % characters;
        return prompt;
    }

    // Repeats `run` for at least half a second after a warm-up; returns total measured seconds and the run count.
    // The fastest of at least five runs (and at least a second of them) after a warm-up. On a shared machine the
    // fastest run is the one least disturbed by other tenants, which is also how the peak is taken.
    private static double Measure(Action run, CancellationToken ct) =>
        Measure(() => { var sw = Stopwatch.StartNew(); run(); return sw.Elapsed.TotalSeconds; }, ct);

    private static double Measure(Func<double> run, CancellationToken ct)
    {
        run();
        double total = 0, best = double.PositiveInfinity;
        for (int runs = 0; total < 1 || runs < 5; runs++)
        {
            ct.ThrowIfCancellationRequested();
            double seconds = run();
            total += seconds;
            best = Math.Min(best, seconds);
        }
        return best;
    }
}
