using System.CommandLine;
using Ponder.Engine.Inference;
using Ponder.Generation;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder generate</c>: continuations of a prompt from an engine model.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "GGUF model file or builtin:NAME", Required = true };
        var prompt = new Option<string>("--prompt", "-p") { Description = "Text to continue (raw prefix, no chat template)", Required = true };
        var count = new Option<int>("--count", "-n") { Description = "Number of continuations (they share the prompt's K/V)", DefaultValueFactory = _ => 1 };
        var temperature = new Option<float>("--temperature", "-t") { Description = "Sampling temperature; 0 is greedy", DefaultValueFactory = _ => 0.8f };
        var topP = new Option<float>("--top-p") { Description = "Nucleus sampling mass (1 = off)", DefaultValueFactory = _ => 1f };
        var topK = new Option<int>("--top-k") { Description = "Keep the k most likely tokens (0 = off)", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong?>("--seed", "-s") { Description = "Seed; continuation i uses a seed derived from (seed, i). Default: random" };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens per continuation", DefaultValueFactory = _ => 256 };
        var stop = new Option<string[]>("--stop") { Description = "Stop after this string (repeatable; \\n is a newline)", AllowMultipleArgumentsPerToken = false };
        var logprobs = new Option<bool>("--logprobs") { Description = "Print the mean token log-probability of each continuation" };

        var command = new Command("generate", "Print continuations of a prompt and the tokens they cost")
        {
            model, prompt, count, temperature, topP, topK, seed, maxTokens, stop, logprobs,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(async () =>
        {
            var engineModel = ModelResolver.Load(parse.GetValue(model)!);
            var generator = new EngineGenerator(engineModel);
            var request = new GenerationRequest
            {
                Prefix = Unescape(parse.GetValue(prompt)!),
                Count = parse.GetValue(count),
                MaxTokens = parse.GetValue(maxTokens),
                Stop = (parse.GetValue(stop) ?? []).Select(Unescape).ToArray(),
                ReturnLogProbs = parse.GetValue(logprobs),
                Sampling = new SamplingOptions
                {
                    Temperature = parse.GetValue(temperature), TopP = parse.GetValue(topP), TopK = parse.GetValue(topK), Seed = parse.GetValue(seed),
                },
            };
            var result = await generator.GenerateAsync(request, ct);
            var table = new Table().AddColumns("#", "continuation", "finish", "prompt", "cached", "generated");
            if (request.ReturnLogProbs) table.AddColumn("mean logprob");
            foreach (var (c, i) in result.Continuations.Select((c, i) => (c, i)))
            {
                var cells = new List<string>
                {
                    i.ToString(), Markup.Escape(c.Text), c.FinishReason.ToString(), c.PromptTokens.ToString(), c.CachedPromptTokens.ToString(), c.GeneratedTokens.ToString(),
                };
                if (c.LogProbs is { Count: > 0 } lp) cells.Add(lp.Average(t => t.LogProb).ToString("F3"));
                table.AddRow(cells.ToArray());
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"model [bold]{Markup.Escape(engineModel.Name)}[/] ({engineModel.Card.Parameters:N0} parameters): " +
                $"{result.ComputedPromptTokens} prompt tokens computed, {result.GeneratedTokens} generated");
            return 0;
        }));
        return command;
    }

    private static string Unescape(string text) => text.Replace("\\n", "\n").Replace("\\t", "\t");
}
