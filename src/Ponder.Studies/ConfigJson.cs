using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ponder.Studies;

/// <summary>The JSON dialect of the config files checked in beside models and studies: camelCase, comments and trailing
/// commas allowed (they are edited by hand), unknown fields refused (a typo must not be silently ignored), nulls left out.</summary>
internal static class ConfigJson
{
    public static JsonSerializerOptions Options(params JsonConverter[] converters)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        foreach (var converter in converters) options.Converters.Add(converter);
        return options;
    }
}
