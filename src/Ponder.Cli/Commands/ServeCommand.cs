using System.CommandLine;
using Ponder.Analysis;
using Ponder.Compute;
using Ponder.Engine.Inference;
using Ponder.OpenAI;
using Ponder.Scoring;
using Ponder.Server;
using Ponder.Server.Benchmarks;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder serve</c> and <c>ponder bench server</c>: the OpenAI-compatible server and its proxy overhead.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model", "-m")
        {
            Description = "Embedded arith model to serve (chat messages are expressions, answers are voted on as arith answers): " +
                "builtin:NAME (served as NAME) or a GGUF file (served as its file name without .gguf); repeatable. " +
                "Default builtin:arith-small when no --upstream is given",
            AllowMultipleArgumentsPerToken = false,
        };
        var upstreams = new Option<string[]>("--upstream", "-u")
        {
            Description = "Upstream model to proxy, http://HOST:PORT/v1#MODEL (served as MODEL; comma-separated base URLs load-balance; " +
                "chat+http://… for servers without /v1/completions); repeatable. Its API key comes from $OPENAI_API_KEY",
            AllowMultipleArgumentsPerToken = false,
        };
        var prms = new Option<string[]>("--prm")
        {
            Description = "Step scorer requests may name in ponder.prm: a PRM (builtin:NAME or a GGUF file, named like --model) or confidence:MODEL (named so); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var policies = new Option<string[]>("--policy")
        {
            Description = "Compute-optimal policy file written by ponder study or report (policy-predicted.json), as NAME=FILE or FILE " +
                "(named after the file); a request applies it with \"ponder\": {\"policy\": NAME, \"prm\": …}, naming the verifier it was " +
                "learned with; repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var host = new Option<string>("--host") { Description = "IP address to listen on (127.0.0.1: this machine only)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "TCP port", DefaultValueFactory = _ => 8080 };
        var apiKey = new Option<string?>("--api-key") { Description = "Require Authorization: Bearer KEY on every request (default: $PONDER_API_KEY; neither: no key)" };
        var maxBudget = new Option<int>("--max-budget") { Description = "Largest ponder.budget (generations) a request may ask for", DefaultValueFactory = _ => 64 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Largest max_tokens per choice", DefaultValueFactory = _ => 1024 };
        var maxBody = new Option<long>("--max-body-bytes") { Description = "Largest request body; larger ones get 413", DefaultValueFactory = _ => 1 << 20 };
        var maxConcurrency = new Option<int>("--max-concurrency") { Description = "Requests served at once; more get 429", DefaultValueFactory = _ => 16 };
        var command = new Command("serve",
            "Serve models over an OpenAI-compatible API (GET /v1/models, POST /v1/completions, POST /v1/chat/completions). " +
            "A request's \"ponder\": {\"strategy\": \"majority\", \"budget\": 8} applies test-time compute; the response's usage counts " +
            "every token spent and its \"ponder\" object holds the compute breakdown and a trace")
        {
            models, upstreams, prms, policies, host, port, apiKey, maxBudget, maxTokens, maxBody, maxConcurrency,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(async () =>
        {
            var options = new PonderServerOptions
            {
                Host = parse.GetValue(host), Port = parse.GetValue(port),
                ApiKey = parse.GetValue(apiKey) ?? (Environment.GetEnvironmentVariable("PONDER_API_KEY") is { Length: > 0 } k ? k : null),
                MaxBudget = parse.GetValue(maxBudget), MaxTokens = parse.GetValue(maxTokens), MaxBodyBytes = parse.GetValue(maxBody),
                MaxConcurrentRequests = parse.GetValue(maxConcurrency),
            };
            var upstreamSpecs = parse.GetValue(upstreams) ?? [];
            var modelSpecs = parse.GetValue(models) is { Length: > 0 } given ? given : upstreamSpecs.Length == 0 ? ["builtin:arith-small"] : [];
            var served = modelSpecs.Select(spec => ServedModel.Arith(ModelResolver.ServedName(spec), new EngineGenerator(ModelResolver.Load(spec)), HardwareProfile.Cpu2CoreAvx2)).ToList();
            var transports = new List<OpenAIUpstream>();
            try
            {
                foreach (string spec in upstreamSpecs)
                {
                    OpenAIModelOptions upstreamOptions;
                    try { upstreamOptions = OpenAIModelOptions.Parse(spec) with { ApiKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY") }; }
                    catch (ArgumentException e) { throw new UserError($"--upstream: {e.Message}"); }
                    var transport = new OpenAIUpstream(upstreamOptions);
                    transports.Add(transport);
                    served.Add(ServedModel.Proxy(transport));
                }
                var prmSpecs = parse.GetValue(prms) ?? [];
                if (prmSpecs.GroupBy(ModelResolver.ServedName).FirstOrDefault(g => g.Count() > 1) is { } twice)
                    throw new UserError($"two step scorers are named {twice.Key}");
                var scorers = prmSpecs.ToDictionary(ModelResolver.ServedName, ModelResolver.LoadStepScorer);
                var learned = new Dictionary<string, ComputeOptimalPolicy>(StringComparer.Ordinal);
                foreach (string spec in parse.GetValue(policies) ?? [])
                {
                    int equals = spec.IndexOf('=');
                    string name = equals > 0 ? spec[..equals] : Path.GetFileNameWithoutExtension(spec);
                    string file = equals > 0 ? spec[(equals + 1)..] : spec;
                    if (!learned.TryAdd(name, ComputeOptimalPolicy.Load(file))) throw new UserError($"two policies are named {name}");
                }
                PonderServer server;
                try { server = await PonderServer.StartAsync(options, served, scorers, learnedPolicies: learned, cancellationToken: ct); }
                catch (IOException e) { throw new UserError($"cannot listen on {options.Host}:{options.Port}: {e.Message}"); }
                await using (server)
                {
                    string key = options.ApiKey is null ? "no API key" : "API key required";
                    string applies = learned.Count == 0 ? "" : $"; policies {string.Join(", ", learned.Keys)}";
                    AnsiConsole.MarkupLineInterpolated($"serving [bold]{string.Join(", ", served.Select(m => m.Name))}[/] at [bold]{server.BaseAddress}[/] ({key}{applies}); Ctrl+C stops");
                    try { await server.WaitForShutdownAsync(ct); }
                    catch (OperationCanceledException) { }
                }
                return 0;
            }
            finally
            {
                foreach (var transport in transports) transport.Dispose();
            }
        }));
        return command;
    }

    /// <summary><c>ponder bench server</c>.</summary>
    public static Command Benchmark()
    {
        var requests = new Option<int>("--requests", "-n") { Description = "Requests per way of calling (direct and through the proxy)", DefaultValueFactory = _ => 4000 };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Requests in flight at once", DefaultValueFactory = _ => 8 };
        var json = CommandRunner.JsonOutput("Also write the figures to this JSON file");
        var command = new Command("server",
            "Requests per second and added latency (p50, p99) of ponder serve as a proxy, over calling the upstream directly, " +
            "on loopback in one run (the upstream is a stub that answers at once, so the figures are the proxy's own overhead)")
        {
            requests, concurrency, json,
        };
        command.SetAction((parse, ct) => CommandRunner.Run(async () =>
        {
            if (parse.GetValue(requests) < 4) throw new UserError($"--requests must be ≥ 4, got {parse.GetValue(requests)}");
            if (parse.GetValue(concurrency) < 1) throw new UserError($"--concurrency must be ≥ 1, got {parse.GetValue(concurrency)}");
            ProxyBenchmarkResult r = null!;
            await AnsiConsole.Status().StartAsync("benchmarking", async ctx =>
            {
                r = await ProxyBenchmark.RunAsync(parse.GetValue(requests), parse.GetValue(concurrency), new Progress<string>(s => ctx.Status(s)), ct);
            });
            var table = new Table().AddColumns("", "requests/s", "p50 ms", "p99 ms");
            table.AddRow("upstream directly", $"{r.Direct.RequestsPerSecond:N0}", $"{r.Direct.P50Milliseconds:F3}", $"{r.Direct.P99Milliseconds:F3}");
            table.AddRow("through ponder serve", $"{r.Proxied.RequestsPerSecond:N0}", $"{r.Proxied.P50Milliseconds:F3}", $"{r.Proxied.P99Milliseconds:F3}");
            table.AddRow("added by the proxy", "", $"{r.AddedP50Milliseconds:F3}", $"{r.AddedP99Milliseconds:F3}");
            AnsiConsole.MarkupLineInterpolated($"{r.Requests} requests each way, {r.Concurrency} in flight, loopback, {r.ProcessorCount} logical processors");
            AnsiConsole.Write(table);
            await BenchCommand.WriteJson(parse.GetValue(json), r);
            return 0;
        }));
        return command;
    }
}
