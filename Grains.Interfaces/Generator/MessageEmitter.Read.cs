using System.Globalization;

namespace Runnel.ProtocolGen;

/// <summary>The Read method of each generated class: version-aware decoding, tagged fields, null markers.</summary>
internal sealed partial class MessageEmitter
{
    private void EmitRead(StructDef s)
    {
        _w.Open("public void Read(ref KafkaReader reader, short version)");
        if (HasFlexible)
        {
            _w.Line($"bool flexible = {_m.FlexibleVersions.Condition(_m.ValidVersions)};");
        }

        foreach (FieldDef f in s.Fields)
        {
            VersionRange presence = f.RegularVersions.Intersect(_m.ValidVersions);
            string cond = presence.Condition(_m.ValidVersions);
            _w.If(cond, () => EmitReadValue(f, s, presence, CompactExpr(f), needsScope: cond == "true"));
        }

        if (HasFlexible)
        {
            List<FieldDef> tagged = TaggedFields(s);
            _w.Open("if (flexible)");
            if (tagged.Count == 0)
            {
                _w.Line("reader.SkipTaggedFields();");
            }
            else
            {
                _w.Line("int taggedCount = reader.ReadTaggedFieldCount();");
                _w.Open("for (int t = 0; t < taggedCount; t++)");
                _w.Line("reader.ReadTaggedFieldHeader(out int tag, out int size);");
                _w.Line("int end = reader.Position + size;");
                _w.Open("switch (tag)");
                foreach (FieldDef f in tagged)
                {
                    VersionRange presence = f.TaggedPresence.Intersect(_m.ValidVersions);
                    string cond = presence.Condition(_m.ValidVersions);
                    _w.Line(cond == "true" ? $"case {Lit(f.Tag!.Value)}:" : $"case {Lit(f.Tag!.Value)} when {cond}:");
                    _w.Block();
                    EmitReadValue(f, s, presence, "true", needsScope: false);
                    _w.Line("reader.EndTaggedField(end);");
                    _w.Line("break;");
                    _w.Close();
                }

                _w.Line("default:");
                _w.Line("    reader.Skip(size);");
                _w.Line("    break;");
                _w.Close();
                _w.Close();
            }

            _w.Close();
        }

        _w.Close();
    }

    private List<FieldDef> TaggedFields(StructDef s)
    {
        var list = new List<FieldDef>();
        foreach (FieldDef f in s.Fields)
        {
            if (f.Tag is not null && !f.TaggedPresence.Intersect(_m.ValidVersions).IsEmpty)
            {
                list.Add(f);
            }
        }

        list.Sort((a, b) => a.Tag!.Value.CompareTo(b.Tag!.Value));
        return list;
    }

    private static string ReadScalar(string type, string compact) => type switch
    {
        "bool" => "reader.ReadBoolean()",
        "int8" => "reader.ReadInt8()",
        "int16" => "reader.ReadInt16()",
        "uint16" => "reader.ReadUInt16()",
        "int32" => "reader.ReadInt32()",
        "uint32" => "reader.ReadUInt32()",
        "int64" => "reader.ReadInt64()",
        "float64" => "reader.ReadFloat64()",
        "uuid" => "reader.ReadUuid()",
        "string" => $"reader.ReadString({compact})",
        "bytes" => $"reader.ReadBytes({compact})",
        _ => throw new InvalidDataException("cannot read " + type),
    };

    private static string Nullable(string nullCond, string nullableExpr, string nonNullExpr) => nullCond switch
    {
        "true" => nullableExpr,
        "false" => nonNullExpr,
        _ => $"{nullCond} ? {nullableExpr} : {nonNullExpr}",
    };

    private void EmitReadValue(FieldDef f, StructDef s, VersionRange presence, string compact, bool needsScope)
    {
        string nullCond = NullCondition(f, presence);
        string x = f.Name;
        if (f.IsArray)
        {
            string elem = ElementType(f, s);
            if (needsScope)
            {
                _w.Block();
            }

            _w.Line($"int count = reader.ReadArrayLength({compact});");
            _w.Open("if (count < 0)");
            switch (nullCond)
            {
                case "true":
                    _w.Line($"{x} = null;");
                    break;
                case "false":
                    _w.Line("ProtocolThrowHelper.ThrowUnexpectedNull();");
                    break;
                default:
                    _w.Open($"if (!({nullCond}))");
                    _w.Line("ProtocolThrowHelper.ThrowUnexpectedNull();");
                    _w.Close();
                    _w.Line();
                    _w.Line($"{x} = null;");
                    break;
            }

            _w.Close();
            _w.Open("else");
            _w.Line(f.PropertyNullable ? $"List<{elem}> list = {x} ?? new List<{elem}>(count);" : $"List<{elem}> list = {x};");
            _w.Line("list.Clear();");
            _w.Line("list.EnsureCapacity(count);");
            _w.Open("for (int i = 0; i < count; i++)");
            if (f.Struct is not null)
            {
                _w.Line($"var item = new {elem}();");
                _w.Line("item.Read(ref reader, version);");
                _w.Line("list.Add(item);");
            }
            else
            {
                _w.Line($"list.Add({ReadScalar(f.ElementType, compact)});");
            }

            _w.Close();
            if (f.PropertyNullable)
            {
                _w.Line();
                _w.Line($"{x} = list;");
            }

            _w.Close();
            if (needsScope)
            {
                _w.Close();
            }

            return;
        }

        if (f.IsStruct)
        {
            _w.Line($"{x}.Read(ref reader, version);");
            return;
        }

        switch (f.Type)
        {
            case "string":
                _w.Line($"{x} = {Nullable(f.PropertyNullable ? nullCond : "false", $"reader.ReadNullableString({compact})", $"reader.ReadString({compact})")};");
                break;
            case "bytes":
                _w.Line($"{x} = {Nullable(f.PropertyNullable ? nullCond : "false", $"reader.ReadNullableBytes({compact})", $"reader.ReadBytes({compact})")};");
                break;
            case "records":
                _w.Line($"{x} = reader.ReadRecords({compact});");
                break;
            default:
                _w.Line($"{x} = {ReadScalar(f.Type, compact)};");
                break;
        }
    }
}
