using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ponder.Analysis;
using Ponder.Compute;
using Ponder.Strategies;
using Ponder.Studies.Arith;
using Ponder.Studies.Sweeps;
using Ponder.Tasks.Arith;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder solve</c>: one problem, one strategy, one budget; the answer and what it cost.</summary>
internal static class SolveCommand
{
    public static Command Create()
    {
        var problem = new Argument<string>("problem") { Description = "An arith expression with explicit parentheses, e.g. \"((17*4)+39)-8\"; with --data, the id of a problem in the file, e.g. HumanEval/0" };
        var task = new Option<string>("--task") { Description = TaskResolver.TaskHelp, DefaultValueFactory = _ => ArithTask.Name };
        var data = new Option<FileInfo?>("--data") { Description = TaskResolver.DataHelp };
        var strategy = new Option<string>("--strategy", "-s") { Description = "Strategy: " + string.Join(", ", StrategyRegistry.CreateDefault().Names), DefaultValueFactory = _ => "weighted-best-of-n" };
        var budget = new Option<int>("--budget", "-b") { Description = "Budget in generations (samples)", DefaultValueFactory = _ => 16 };
        var model = new Option<string>("--model", "-m") { Description = ModelResolver.GeneratorHelp, DefaultValueFactory = _ => "builtin:arith-small" };
        var prm = new Option<string?>("--prm")
        {
            Description = $"{ModelResolver.StepScorerHelp} (default for {ArithTask.Name} with an engine policy, when the strategy needs a verifier: the policy's own confidence, confidence:MODEL; none: no verifier)",
        };
        var options = new Option<string?>("--options") { Description = "Strategy options as JSON, e.g. '{\"beamWidth\": 4, \"temperature\": 0.8}'" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 1 };
        var hardware = new Option<string>("--hardware") { Description = "Hardware profile for idealized runtime: " + string.Join(", ", HardwareProfile.Builtin.Select(h => h.Name)), DefaultValueFactory = _ => HardwareProfile.Cpu2CoreAvx2.Name };
        var candidates = new Option<bool>("--candidates") { Description = "Also list every candidate with its score" };
        var policyFile = new Option<FileInfo?>("--policy") { Description = "Compute-optimal policy file (written by ponder report) for --strategy compute-optimal" };
        var command = new Command("solve", "Solve one problem with a test-time compute strategy and print the answer and its compute")
        {
            problem, task, data, strategy, budget, model, prm, options, seed, hardware, candidates, policyFile,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(async () =>
        {
            var benchmark = TaskResolver.Parse(parse.GetValue(task)!, parse.GetValue(data));
            StudyTask studyTask;
            if (benchmark is { } kind)
            {
                TaskResolver.RequireNoPrm(kind, parse.GetValue(prm) is "none" ? null : parse.GetValue(prm));
                string id = parse.GetValue(problem)!;
                var loaded = TaskResolver.Load(kind, parse.GetValue(data)!);
                var chosen = loaded.FirstOrDefault(p => p.Id == id)
                    ?? throw new UserError($"no problem with id \"{id}\" in {parse.GetValue(data)!.FullName}; its ids are like {string.Join(", ", loaded.Take(3).Select(p => p.Id))}");
                studyTask = await TaskResolver.CreateTaskAsync(kind, [chosen], ct);
            }
            else
            {
                ArithProblem arith;
                string expression = parse.GetValue(problem)!.Replace(" ", "");
                // The difficulty table gives level L problems L+1 steps, one per opening parenthesis plus one.
                int level = Math.Clamp(expression.TakeWhile(ch => ch == '(').Count(), ArithDifficulty.MinLevel, ArithDifficulty.MaxLevel);
                try { arith = ArithProblem.Parse(expression, level); }
                catch (Exception e) when (e is FormatException or ArgumentException) { throw new UserError(e.Message); }
                studyTask = ArithStrategies.CreateTask([arith]);
            }
            var target = studyTask.Problems[0];
            var profile = HardwareProfile.Find(parse.GetValue(hardware)!) ?? throw new UserError($"unknown hardware profile \"{parse.GetValue(hardware)}\"");
            if (parse.GetValue(budget) < 1) throw new UserError($"--budget must be ≥ 1, got {parse.GetValue(budget)}");
            var policy = ModelResolver.LoadGenerator(parse.GetValue(model)!);
            // As in ponder run, an engine policy judges itself on arith by default, so that the default strategy and a
            // policy file from the default study run without naming a verifier.
            string? prmSpec = ModelResolver.StepScorerOrDefault(parse.GetValue(prm), parse.GetValue(model)!, benchmark is null,
                SweepOptions.NeedsVerifier(parse.GetValue(strategy)!));
            var scorer = prmSpec is not null ? ModelResolver.LoadStepScorer(prmSpec) : null;
            var context = studyTask.Context(policy, scorer, profile);
            IStrategy solver;
            bool computeOptimal = parse.GetValue(strategy) == ComputeOptimalStrategy.StrategyName;
            if (computeOptimal != parse.GetValue(policyFile) is not null)
                throw new UserError(computeOptimal ? "--strategy compute-optimal needs --policy FILE (ponder report writes policy-predicted.json)" : "--policy applies only to --strategy compute-optimal");
            if (parse.GetValue(policyFile) is { } file)
            {
                if (parse.GetValue(options) is not null) throw new UserError("--options cannot be combined with --policy: the policy chooses each strategy's options");
                if (!file.Exists) throw new UserError($"policy file not found: {file.FullName}");
                solver = StrategyRegistry.CreateDefault().Create(ComputeOptimalStrategy.StrategyName, context, new ComputeOptimalOptions { Policy = ComputeOptimalPolicy.Load(file.FullName) });
            }
            else
                try
                {
                    var json = JsonNode.Parse(parse.GetValue(options) ?? "{}") as JsonObject ?? throw new UserError("--options must be a JSON object");
                    // The task's solution length, unless the options set one.
                    if (studyTask.StrategyMaxTokens is { } maxTokens && !json.Any(p => string.Equals(p.Key, "maxTokens", StringComparison.OrdinalIgnoreCase)))
                        json["maxTokens"] = maxTokens;
                    solver = StrategyRegistry.CreateDefault().Create(parse.GetValue(strategy)!, context, JsonSerializer.SerializeToElement(json));
                }
                catch (JsonException e) { throw new UserError($"--options is not valid JSON or has unknown fields: {e.Message}"); }
            var result = await solver.SolveAsync(target, Budget.OfGenerations(parse.GetValue(budget)), parse.GetValue(seed), ct);

            string verdict;
            try
            {
                bool correct = result.Solution is { } chosenSolution && await studyTask.Grader.IsCorrectAsync(target, chosenSolution, ct);
                string expected = target.ReferenceAnswer is { } reference ? $"expected {Markup.Escape(reference)}" : "its tests fail";
                verdict = correct ? "[green]correct[/]" : $"[red]wrong[/] ({expected})";
            }
            catch (GradingException e) { verdict = $"[yellow]not graded[/] ({Markup.Escape(e.Message)})"; }
            AnsiConsole.MarkupLine($"answer: [bold]{Markup.Escape(result.Answer ?? "(none)")}[/] {verdict}");
            if (result.Solution is { } solution) AnsiConsole.WriteLine(solution.TrimEnd());
            if (parse.GetValue(candidates))
            {
                var list = new Table().AddColumns("#", "answer", "score", "correct", "solution");
                foreach (var c in result.Candidates)
                    list.AddRow(c.Index.ToString(), Markup.Escape(c.Answer ?? "-"), c.Score is { } s ? $"{s:F3}" : "-", c.IsCorrect?.ToString() ?? "-", Markup.Escape(c.Solution.Replace("\n", " ⏎ ")));
                AnsiConsole.Write(list);
            }
            var compute = new Table().AddColumns("", "calls", "prompt tokens", "cached", "generated", "FLOPs", $"idealized s ({profile.Name})", "wall s");
            foreach (var (role, t) in new[] { ("policy", result.Compute.Policy), ("verifier", result.Compute.Verifier) })
                compute.AddRow(role, t.Calls.ToString(), t.PromptTokens.ToString("N0"), t.CachedPromptTokens.ToString("N0"), t.GeneratedTokens.ToString("N0"),
                    t.Flops is { } f ? f.ToString("0.000E+00") : "-", t.IdealizedSeconds is { } i ? i.ToString("G3") : "-", t.WallTime.TotalSeconds.ToString("F2"));
            AnsiConsole.Write(compute);
            AnsiConsole.MarkupLineInterpolated($"{result.Strategy}, budget {result.Budget}: {result.GenerationsUsed} generation{(result.GenerationsUsed == 1 ? "" : "s")} used, {(result.Compute.Flops is { } flops ? $"{flops:0.000E+00} FLOPs in all" : "FLOPs unknown (no model card)")}, {result.Elapsed.TotalSeconds:F2} s");
            return 0;
        }));
        return command;
    }
}
