using System.Globalization;

namespace Runnel.ProtocolGen;

/// <summary>The Write method of each generated class: version-aware encoding, tagged fields, null checks.</summary>
internal sealed partial class MessageEmitter
{
    private void EmitWrite(StructDef s)
    {
        _w.Open("public void Write(KafkaWriter writer, short version)");
        if (HasFlexible)
        {
            _w.Line($"bool flexible = {_m.FlexibleVersions.Condition(_m.ValidVersions)};");
        }

        foreach (FieldDef f in s.Fields)
        {
            VersionRange presence = f.RegularVersions.Intersect(_m.ValidVersions);
            string cond = presence.Condition(_m.ValidVersions);
            _w.If(cond, () => EmitWriteValue(f, presence, CompactExpr(f), needsScope: cond == "true"));
        }

        if (HasFlexible)
        {
            List<FieldDef> tagged = TaggedFields(s);
            _w.Open("if (flexible)");
            if (tagged.Count == 0)
            {
                _w.Line("writer.WriteEmptyTaggedFields();");
            }
            else
            {
                var conditions = new List<string>();
                _w.Line("int taggedCount = 0;");
                foreach (FieldDef f in tagged)
                {
                    string presence = f.TaggedPresence.Intersect(_m.ValidVersions).Condition(_m.ValidVersions);
                    string cond = (presence == "true" ? string.Empty : $"{presence} && ") + $"!({IsDefaultExpr(f)})";
                    conditions.Add(cond);
                    _w.Open($"if ({cond})");
                    _w.Line("taggedCount++;");
                    _w.Close();
                    _w.Line();
                }

                _w.Line("writer.WriteTaggedFieldCount(taggedCount);");
                for (int i = 0; i < tagged.Count; i++)
                {
                    FieldDef f = tagged[i];
                    _w.Open($"if ({conditions[i]})");
                    _w.Line($"int sizePosition = writer.BeginTaggedField({Lit(f.Tag!.Value)});");
                    EmitWriteValue(f, f.TaggedPresence.Intersect(_m.ValidVersions), "true", needsScope: false);
                    _w.Line("writer.EndTaggedField(sizePosition);");
                    _w.Close();
                }
            }

            _w.Close();
        }

        _w.Close();
    }

    private static string WriteScalar(string type, string value, string compact) => type switch
    {
        "bool" => $"writer.WriteBoolean({value});",
        "int8" => $"writer.WriteInt8({value});",
        "int16" => $"writer.WriteInt16({value});",
        "uint16" => $"writer.WriteUInt16({value});",
        "int32" => $"writer.WriteInt32({value});",
        "uint32" => $"writer.WriteUInt32({value});",
        "int64" => $"writer.WriteInt64({value});",
        "float64" => $"writer.WriteFloat64({value});",
        "uuid" => $"writer.WriteUuid({value});",
        "string" => $"writer.WriteString({value}, {compact});",
        "bytes" => $"writer.WriteBytes({value}.Span, {compact});",
        _ => throw new InvalidDataException("cannot write " + type),
    };

    private void EmitNullCheck(string nullCond, string value, string fieldName)
    {
        if (nullCond == "true")
        {
            return;
        }

        string cond = nullCond == "false" ? $"{value} is null" : $"{value} is null && !({nullCond})";
        _w.Open($"if ({cond})");
        _w.Line($"ProtocolThrowHelper.ThrowNullField(\"{fieldName}\");");
        _w.Close();
        _w.Line();
    }

    private void EmitWriteValue(FieldDef f, VersionRange presence, string compact, bool needsScope)
    {
        string nullCond = NullCondition(f, presence);
        string x = f.Name;
        if (f.IsArray)
        {
            if (needsScope)
            {
                _w.Block();
            }

            _w.Line($"var list = {x};");
            if (f.PropertyNullable)
            {
                EmitNullCheck(nullCond, "list", f.Name);
                _w.Open("if (list is null)");
                _w.Line($"writer.WriteArrayLength(-1, {compact});");
                _w.Close();
                _w.Open("else");
            }

            _w.Line($"writer.WriteArrayLength(list.Count, {compact});");
            _w.Open("for (int i = 0; i < list.Count; i++)");
            _w.Line(f.Struct is not null ? "list[i].Write(writer, version);" : WriteScalar(f.ElementType, "list[i]", compact));
            _w.Close();
            if (f.PropertyNullable)
            {
                _w.Close();
            }

            if (needsScope)
            {
                _w.Close();
            }

            return;
        }

        if (f.IsStruct)
        {
            _w.Line($"{x}.Write(writer, version);");
            return;
        }

        switch (f.Type)
        {
            case "string":
                if (f.PropertyNullable)
                {
                    EmitNullCheck(nullCond, x, f.Name);
                }

                _w.Line($"writer.WriteString({x}, {compact});");
                break;
            case "bytes":
                if (f.PropertyNullable)
                {
                    EmitNullCheck(nullCond, x, f.Name);
                    _w.Line($"writer.WriteNullableBytes({x}, {compact});");
                }
                else
                {
                    _w.Line(WriteScalar("bytes", x, compact));
                }

                break;
            case "records":
                _w.Line($"writer.WriteRecords({x}, {compact});");
                break;
            default:
                _w.Line(WriteScalar(f.Type, x, compact));
                break;
        }
    }
}
