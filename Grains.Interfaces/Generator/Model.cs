using System.Globalization;
using System.Text.Json;

namespace Runnel.ProtocolGen;

/// <summary>An inclusive version range; <see cref="Hi"/> is short.MaxValue for "N+". Empty when Lo &gt; Hi.</summary>
internal readonly record struct VersionRange(short Lo, short Hi)
{
    public static readonly VersionRange None = new(1, 0);

    public bool IsEmpty => Lo > Hi;

    public static VersionRange Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text == "none")
        {
            return None;
        }

        text = text.Trim();
        if (text.EndsWith('+'))
        {
            return new VersionRange(short.Parse(text[..^1], CultureInfo.InvariantCulture), short.MaxValue);
        }

        int dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            return new VersionRange(
                short.Parse(text[..dash], CultureInfo.InvariantCulture),
                short.Parse(text[(dash + 1)..], CultureInfo.InvariantCulture));
        }

        short v = short.Parse(text, CultureInfo.InvariantCulture);
        return new VersionRange(v, v);
    }

    public VersionRange Intersect(VersionRange other)
    {
        if (IsEmpty || other.IsEmpty)
        {
            return None;
        }

        var r = new VersionRange(Math.Max(Lo, other.Lo), Math.Min(Hi, other.Hi));
        return r.IsEmpty ? None : r;
    }

    public bool Contains(VersionRange other) => other.IsEmpty || (!IsEmpty && Lo <= other.Lo && Hi >= other.Hi);

    /// <summary>
    /// A C# condition on <c>version</c> that is true exactly for the versions of this range within
    /// <paramref name="valid"/>; "true" or "false" when constant.
    /// </summary>
    public string Condition(VersionRange valid)
    {
        VersionRange r = Intersect(valid);
        if (r.IsEmpty)
        {
            return "false";
        }

        bool lo = r.Lo > valid.Lo;
        bool hi = r.Hi < valid.Hi;
        if (lo && hi)
        {
            return r.Lo == r.Hi ? $"version == {r.Lo}" : $"version >= {r.Lo} && version <= {r.Hi}";
        }

        if (lo)
        {
            return $"version >= {r.Lo}";
        }

        return hi ? $"version <= {r.Hi}" : "true";
    }
}

internal sealed class FieldDef
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required VersionRange Versions { get; init; }
    public required VersionRange NullableVersions { get; init; }
    public VersionRange? FlexibleVersions { get; init; }
    public int? Tag { get; init; }
    public VersionRange TaggedVersions { get; init; } = VersionRange.None;
    public string? Default { get; init; }
    public string? About { get; init; }
    public StructDef? Struct { get; set; }

    public bool IsArray => Type.StartsWith("[]", StringComparison.Ordinal);
    public string ElementType => IsArray ? Type[2..] : Type;
    public bool IsStruct => Struct is not null;

    /// <summary>Versions in which the field is part of the regular (untagged) sequence.</summary>
    public VersionRange RegularVersions
    {
        get
        {
            if (Tag is null)
            {
                return Versions;
            }

            if (TaggedVersions.IsEmpty)
            {
                return Versions;
            }

            if (TaggedVersions.Lo <= Versions.Lo)
            {
                return VersionRange.None;
            }

            return new VersionRange(Versions.Lo, (short)(TaggedVersions.Lo - 1));
        }
    }

    public VersionRange TaggedPresence => Tag is null ? VersionRange.None : TaggedVersions.Intersect(Versions);

    /// <summary>Whether the C# property is nullable (nullable in some version, or defaulting to null).</summary>
    public bool PropertyNullable =>
        Type == "records" || !NullableVersions.IsEmpty || string.Equals(Default, "null", StringComparison.Ordinal);
}

internal sealed class StructDef
{
    public required string JsonName { get; init; }
    public string CsName { get; set; } = string.Empty;
    public List<FieldDef> Fields { get; } = [];
    public StructDef? Parent { get; set; }
    public List<StructDef> Children { get; } = [];
    public string? About { get; init; }

    /// <summary>Path from the message class, e.g. "FetchResponse.FetchableTopicResponse.PartitionData".</summary>
    public string Path => Parent is null ? CsName : Parent.Path + "." + CsName;
}

internal sealed class MessageDef
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public short? ApiKey { get; init; }
    public required VersionRange ValidVersions { get; init; }
    public required VersionRange FlexibleVersions { get; init; }
    public required StructDef Root { get; init; }

    public static MessageDef Load(string path)
    {
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path), options);
        JsonElement root = doc.RootElement;
        string name = root.GetProperty("name").GetString()!;
        var message = new MessageDef
        {
            Name = name,
            Type = root.GetProperty("type").GetString()!,
            ApiKey = root.TryGetProperty("apiKey", out JsonElement k) ? k.GetInt16() : null,
            ValidVersions = VersionRange.Parse(root.GetProperty("validVersions").GetString()),
            FlexibleVersions = VersionRange.Parse(root.TryGetProperty("flexibleVersions", out JsonElement f) ? f.GetString() : "none"),
            Root = new StructDef { JsonName = name, CsName = name },
        };

        var common = new Dictionary<string, StructDef>(StringComparer.Ordinal);
        if (root.TryGetProperty("commonStructs", out JsonElement commons))
        {
            foreach (JsonElement c in commons.EnumerateArray())
            {
                var s = new StructDef { JsonName = c.GetProperty("name").GetString()!, Parent = message.Root };
                common.Add(s.JsonName, s);
                message.Root.Children.Add(s);
            }

            foreach (JsonElement c in commons.EnumerateArray())
            {
                StructDef s = common[c.GetProperty("name").GetString()!];
                ReadFields(c.GetProperty("fields"), s, common);
            }
        }

        ReadFields(root.GetProperty("fields"), message.Root, common);
        return message;
    }

    private static readonly HashSet<string> s_primitives =
    [
        "bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64", "string", "bytes", "records", "uuid",
    ];

    private static void ReadFields(JsonElement fields, StructDef owner, Dictionary<string, StructDef> common)
    {
        foreach (JsonElement f in fields.EnumerateArray())
        {
            string type = f.GetProperty("type").GetString()!;
            var field = new FieldDef
            {
                // A few definitions spell a field in camelCase (CreateTopicsRequest.validateOnly); C# properties are PascalCase.
                Name = PascalCase(f.GetProperty("name").GetString()!),
                Type = type,
                Versions = VersionRange.Parse(f.GetProperty("versions").GetString()),
                NullableVersions = VersionRange.Parse(Str(f, "nullableVersions")),
                FlexibleVersions = Str(f, "flexibleVersions") is { } fv ? VersionRange.Parse(fv) : null,
                Tag = f.TryGetProperty("tag", out JsonElement tag) ? tag.GetInt32() : null,
                TaggedVersions = VersionRange.Parse(Str(f, "taggedVersions")),
                Default = f.TryGetProperty("default", out JsonElement d)
                    ? (d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetRawText())
                    : null,
                About = Str(f, "about"),
            };
            string element = field.ElementType;
            if (!s_primitives.Contains(element))
            {
                if (f.TryGetProperty("fields", out JsonElement nested))
                {
                    var s = new StructDef { JsonName = element, Parent = owner, About = field.About };
                    owner.Children.Add(s);
                    field.Struct = s;
                    ReadFields(nested, s, common);
                }
                else if (common.TryGetValue(element, out StructDef? c))
                {
                    field.Struct = c;
                }
                else
                {
                    throw new InvalidDataException($"{owner.JsonName}.{field.Name}: unknown type {type}");
                }
            }

            owner.Fields.Add(field);
        }
    }

    private static string PascalCase(string name) => name.Length > 0 && char.IsLower(name[0]) ? char.ToUpperInvariant(name[0]) + name[1..] : name;

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) ? v.GetString() : null;
}
