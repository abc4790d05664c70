using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Ponder.Server;

/// <summary>Writes a <see cref="Reply"/> in OpenAI's shapes: one JSON object, or server-sent events ending in <c>[DONE]</c>.</summary>
internal static class ReplyWriter
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    // Text goes to API clients, not into HTML: keep "+" and "<" readable instead of \u002B escapes.
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteJsonAsync(HttpResponse response, CompletionCall call, Reply reply, CancellationToken cancellationToken)
    {
        var body = Envelope(call, reply, call.Chat ? "chat.completion" : "text_completion");
        body["choices"] = new JsonArray(reply.Choices.Select((c, i) =>
        {
            var choice = new JsonObject { ["index"] = i };
            if (call.Chat) choice["message"] = new JsonObject { ["role"] = "assistant", ["content"] = c.Text };
            else choice["text"] = c.Text;
            choice["logprobs"] = LogProbs(call, c);
            choice["finish_reason"] = c.FinishReason;
            choice["stop_reason"] = c.StopReason;
            return (JsonNode)choice;
        }).ToArray());
        body["usage"] = Usage(reply);
        if (reply.Ponder is not null) body["ponder"] = reply.Ponder.DeepClone();
        response.ContentType = "application/json";
        await response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body, Json), cancellationToken);
    }

    /// <summary>
    /// The reply as a stream: each choice's text in one chunk (generation is not incremental), then each choice's finish
    /// reason, then — when asked for with <c>stream_options.include_usage</c>, or when a strategy ran — a chunk with no
    /// choices carrying the usage and the <c>ponder</c> object.
    /// </summary>
    public static async Task WriteEventsAsync(HttpResponse response, CompletionCall call, Reply reply, CancellationToken cancellationToken)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        string kind = call.Chat ? "chat.completion.chunk" : "text_completion";
        for (int i = 0; i < reply.Choices.Count; i++)
        {
            var c = reply.Choices[i];
            var choice = new JsonObject { ["index"] = i };
            if (call.Chat) choice["delta"] = new JsonObject { ["role"] = "assistant", ["content"] = c.Text };
            else choice["text"] = c.Text;
            choice["logprobs"] = LogProbs(call, c);
            choice["finish_reason"] = null;
            await WriteEventAsync(response, Chunk(call, reply, kind, choice), cancellationToken);
        }
        for (int i = 0; i < reply.Choices.Count; i++)
        {
            var choice = new JsonObject { ["index"] = i };
            if (call.Chat) choice["delta"] = new JsonObject();
            else choice["text"] = "";
            choice["logprobs"] = null;
            choice["finish_reason"] = reply.Choices[i].FinishReason;
            choice["stop_reason"] = reply.Choices[i].StopReason;
            await WriteEventAsync(response, Chunk(call, reply, kind, choice), cancellationToken);
        }
        if (call.IncludeUsage || reply.Ponder is not null)
        {
            var last = Envelope(call, reply, kind);
            last["choices"] = new JsonArray();
            if (call.IncludeUsage) last["usage"] = Usage(reply);
            if (reply.Ponder is not null) last["ponder"] = reply.Ponder.DeepClone();
            await WriteEventAsync(response, last, cancellationToken);
        }
        await response.Body.WriteAsync(Done, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static JsonObject Chunk(CompletionCall call, Reply reply, string kind, JsonObject choice)
    {
        var chunk = Envelope(call, reply, kind);
        chunk["choices"] = new JsonArray(choice);
        return chunk;
    }

    private static async Task WriteEventAsync(HttpResponse response, JsonObject data, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync("data: "u8.ToArray(), cancellationToken);
        await response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(data, Json), cancellationToken);
        await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static JsonObject Envelope(CompletionCall call, Reply reply, string kind) => new()
    {
        ["id"] = reply.Id,
        ["object"] = kind,
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["model"] = call.Model,
    };

    private static JsonObject Usage(Reply reply) => new()
    {
        ["prompt_tokens"] = reply.PromptTokens,
        ["completion_tokens"] = reply.CompletionTokens,
        ["total_tokens"] = reply.PromptTokens + reply.CompletionTokens,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = reply.CachedPromptTokens },
    };

    // Chat: {"content": [{token, logprob, bytes, top_logprobs}]}; completions: {tokens, token_logprobs, top_logprobs, text_offset}.
    private static JsonNode? LogProbs(CompletionCall call, ReplyChoice choice)
    {
        if (!call.LogProbs || choice.LogProbs is null) return null;
        if (call.Chat)
            return new JsonObject
            {
                ["content"] = new JsonArray(choice.LogProbs.Select(t => (JsonNode)new JsonObject
                {
                    ["token"] = t.Token,
                    ["logprob"] = t.LogProb,
                    ["bytes"] = new JsonArray(Encoding.UTF8.GetBytes(t.Token).Select(b => (JsonNode)(int)b).ToArray()),
                    ["top_logprobs"] = new JsonArray(),
                }).ToArray()),
            };
        var offsets = new JsonArray();
        int offset = 0;
        foreach (var t in choice.LogProbs)
        {
            offsets.Add(offset);
            offset += t.Token.Length;
        }
        return new JsonObject
        {
            ["tokens"] = new JsonArray(choice.LogProbs.Select(t => (JsonNode)t.Token).ToArray()),
            ["token_logprobs"] = new JsonArray(choice.LogProbs.Select(t => (JsonNode)t.LogProb).ToArray()),
            ["top_logprobs"] = null,
            ["text_offset"] = offsets,
        };
    }
}
