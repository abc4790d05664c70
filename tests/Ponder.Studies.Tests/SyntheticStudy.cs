using System.Text.Json;
using Ponder.Analysis;
using Ponder.Generation;
using Ponder.Strategies;
using Ponder.Studies.Reports;
using Ponder.Studies.Store;
using Ponder.Studies.Sweeps;
using Ponder.Tasks.Arith;

namespace Ponder.Studies.Tests;

/// <summary>
/// A study made up in memory with every kind of data a report can show: calibration and test runs of a small policy
/// with PRM-scored pools, and a test run of a 4× larger policy. Problem i of level L solves a sample with probability
/// falling with L; a correct sample's PRM score tends high and a wrong one's low, imperfectly. Pool strategies' rows are
/// computed from the pools with the real estimators; a "beam" configuration does better than sampling on hard problems.
/// </summary>
internal static class SyntheticStudy
{
    public const int PoolSize = 16;
    public static readonly int[] Budgets = [1, 4, 16];

    // The runs' model cards: they price every row, as a sweep prices its calls, and the policy's pilot.
    public static readonly ModelCard SmallCard = new("small", 1_000_000, 900_000, 4, 128, 128, 4, 4, 512, 20);
    public static readonly ModelCard LargeCard = new("large", 4_300_000, 4_100_000, 8, 256, 256, 8, 8, 512, 20);
    public static readonly ModelCard PrmCard = new("prm", 1_000_000, 900_000, 4, 128, 128, 4, 4, 512, 20);

    public static readonly Dictionary<string, ModelFacts> Models = new()
    {
        ["small"] = new ModelFacts("small", 1_000_000, 12_000_000),
        ["large"] = new ModelFacts("large", 4_300_000, 12_000_000),
    };

    public static StudyRun Run(string model, string split, int problemsPerLevel, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var samples = new List<PoolSample>();
        var results = new List<ResultRow>();
        string pool = Sweep.PoolKey(0.8f, PoolSize);
        var card = model == "large" ? LargeCard : SmallCard;
        for (int level = 1; level <= 5; level++)
            for (int i = 0; i < problemsPerLevel; i++)
            {
                string id = $"{split}-L{level}-{i:00}";
                double p = Math.Clamp((model == "large" ? 1.15 : 1.0) * (1.0 - 0.19 * level) + 0.1 * (rng.NextDouble() - 0.5), 0.02, 0.98);
                var problemSamples = Enumerable.Range(0, PoolSize).Select(index =>
                {
                    bool correct = rng.NextBool(p);
                    string answer = correct ? "42" : (40 + rng.NextInt(0, 2) * 3).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    double score = correct ? 0.35 + 0.65 * rng.NextDouble() : 0.6 * rng.NextDouble();
                    return new PoolSample(id, pool, index, $"x\nA:{answer}\n", answer, correct, 10, index == 0 ? 0 : 10, 20, score, 30, 0.01);
                }).ToArray();
                samples.AddRange(problemSamples);
                var candidates = problemSamples.Select(s => s.AsCandidate(s.Index)).ToArray();
                foreach (int budget in Budgets)
                {
                    foreach (var strategy in SweepOptions.PoolStrategies)
                    {
                        var rule = PoolEstimators.RuleOf(strategy)!.Value;
                        double accuracy = PoolEstimators.Estimate(candidates, budget, rule, ArithAnswerKey.Instance, 64, seed);
                        // Every sample has the same tokens, so every size-b subset costs what the first b samples do.
                        double verifier = rule is PoolRule.BestOfN or PoolRule.WeightedBestOfN && CandidateSelection.NeedsScores(budget) ? PoolPricing.Scoring(problemSamples.Take(budget), PrmCard) : 0;
                        results.Add(new ResultRow(id, level, strategy, pool, budget, seed, accuracy, 10, 20 * budget,
                            PoolPricing.Generation(problemSamples.Take(budget), card), verifier, 0.01, 0.01, null, "synthetic"));
                    }
                    if (budget > 1)
                    {
                        double beam = Math.Min(1, 1 - Math.Pow(1 - p, budget * 0.8));
                        results.Add(new ResultRow(id, level, "beam", """{"temperature":0.8,"beamWidth":4}""", budget, seed, rng.NextBool(beam) ? 1 : 0, 10, 20 * budget,
                            PoolPricing.Generation(problemSamples.Take(budget), card) * 1.2, PoolPricing.Scoring(problemSamples.Take(budget), PrmCard) * 2,
                            0.01, 0.01, "42", "synthetic"));
                    }
                }
            }
        string config = JsonSerializer.Serialize(new { task = "arith", split, model, seed, temperature = 0.8f, prm = "prm" });
        return new StudyRun($"{model}-{split}.db", model, split, seed, 0.8f, config, samples, results)
        {
            Cards = new RunModelCards(card, model == "large" ? null : PrmCard),
        };
    }

    public static StudyData Data(int problemsPerLevel = 12) => new(
        [Run("small", "Calibration", problemsPerLevel, 11), Run("small", "Test", problemsPerLevel, 12), Run("large", "Test", problemsPerLevel, 12)],
        Models);

    /// <summary>Writes <paramref name="run"/> into a new store at <paramref name="path"/>, as `ponder run` would have.</summary>
    public static void Save(StudyRun run, string path)
    {
        using var store = SampleStore.Open(path);
        store.SetMeta("run_config", run.Config);
        store.Write(run.Samples, run.Results);
        run.Cards?.Save(store);
    }
}
