using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Ponder.Server.Tests;

/// <summary>Every kind of bad request gets its documented status and an OpenAI-shaped error, and the server keeps serving.</summary>
public sealed class BadInputTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Chat = "chat/completions";
    private const string Messages = """[{"role": "user", "content": "(3+4)*5"}]""";

    public static TheoryData<string, string, string?, int, string, string?> Cases => new()
    {
        // endpoint, body, API key (null = none), status, error type, param
        { Chat, """{"model": "arith-small", "messages": [""", ServerFixture.ApiKey, 400, "invalid_request_error", null },
        { Chat, """{"model": "arith-small"}""", ServerFixture.ApiKey, 400, "invalid_request_error", "messages" },
        { Chat, $$"""{"model": "arith-small", "messages": {{Messages}}, "n": 0}""", ServerFixture.ApiKey, 400, "invalid_request_error", "n" },
        { Chat, $$"""{"model": "arith-small", "messages": {{Messages}}, "n": 100000}""", ServerFixture.ApiKey, 400, "invalid_request_error", "n" },
        { Chat, $$"""{"model": "arith-small", "messages": {{Messages}}, "temperature": -0.5}""", ServerFixture.ApiKey, 400, "invalid_request_error", "temperature" },
        { Chat, $$"""{"model": "arith-small", "messages": {{Messages}}, "top_p": 1.5}""", ServerFixture.ApiKey, 400, "invalid_request_error", "top_p" },
        { Chat, $$"""{"model": "arith-small", "messages": {{Messages}}, "ponder": {"strategy": "telepathy"} }""", ServerFixture.ApiKey, 400, "invalid_request_error", "ponder.strategy" },
        { Chat, $$"""{"model": "arith-small", "messages": {{Messages}}, "ponder": {"strategy": "majority", "budget": 17} }""", ServerFixture.ApiKey, 400, "invalid_request_error", "ponder.budget" },
        { Chat, $$"""{"model": "arith-small", "messages": {{Messages}}, "ponder": {"strategy": "beam", "budget": 8} }""", ServerFixture.ApiKey, 400, "invalid_request_error", "ponder.prm" },
        { Chat, $$"""{"model": "no-such-model", "messages": {{Messages}}}""", ServerFixture.ApiKey, 404, "invalid_request_error", "model" },
        { Chat, $$"""{"model": "arith-small", "messages": {{Messages}}}""", "wrong-key", 401, "authentication_error", null },
        { Chat, $$"""{"model": "arith-small", "messages": {{Messages}}}""", null, 401, "authentication_error", null },
        { "completions", """{"model": "arith-small", "prompt": 7}""", ServerFixture.ApiKey, 400, "invalid_request_error", "prompt" },
        { "completions", """{"model": "arith-small", "prompt": "Q:1+1\n", "max_tokens": 5000}""", ServerFixture.ApiKey, 400, "invalid_request_error", "max_tokens" },
        { "completions", "{\"model\": \"arith-small\", \"prompt\": \"" + new string('1', 70 * 1024) + "\"}", ServerFixture.ApiKey, 413, "invalid_request_error", null },
        // Fields the server cannot honour are refused, not answered as if absent.
        { Chat, $$"""{"model": "arith-small", "messages": {{Messages}}, "stop": "\n", "ponder": {"strategy": "majority", "budget": 2} }""", ServerFixture.ApiKey, 400, "invalid_request_error", "stop" },
        { Chat, $$"""{"model": "arith-small", "messages": {{Messages}}, "logprobs": true, "ponder": {"strategy": "majority", "budget": 2} }""", ServerFixture.ApiKey, 400, "invalid_request_error", "logprobs" },
        { "completions", """{"model": "arith-small", "prompt": "Q:1+1\n", "echo": true}""", ServerFixture.ApiKey, 400, "invalid_request_error", "echo" },
        { "completions", """{"model": "arith-small", "prompt": "Q:1+1\n", "suffix": "A:2"}""", ServerFixture.ApiKey, 400, "invalid_request_error", "suffix" },
        { "completions", """{"model": "arith-small", "prompt": "Q:1+1\n", "best_of": 3}""", ServerFixture.ApiKey, 400, "invalid_request_error", "best_of" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadRequestsGetTheirStatusAndAnOpenAIErrorAndTheServerKeepsServing(
        string endpoint, string body, string? apiKey, int status, string type, string? param)
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        if (apiKey is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await http.PostAsync(endpoint, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, (int)response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.True(error.TryGetProperty("code", out _));

        using var again = await fixture.Http.PostAsync("completions",
            new StringContent("""{"model": "arith-small", "prompt": "Q:(3+4)*5\n", "temperature": 0}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(0, fixture.Server.RequestsInFlight);
    }

    [Fact]
    public async Task TheBearerSchemeIsCaseInsensitiveAndErrorsReadAsWritten()
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "bearer " + ServerFixture.ApiKey);
        using var ok = await http.PostAsync("completions", new StringContent("""{"model": "arith-small", "prompt": "Q:1+1\n", "max_tokens": 4}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        // Quotes and ≥ arrive as themselves, not as \u0022 and \u2265.
        using var bad = await http.PostAsync(Chat, new StringContent($$"""{"model": "arith-small", "messages": {{Messages}}, "top_k": -1}""", Encoding.UTF8, "application/json"));
        string raw = await bad.Content.ReadAsStringAsync();
        Assert.Contains("≥", raw);
        Assert.DoesNotContain("\\u", raw);
    }
}
