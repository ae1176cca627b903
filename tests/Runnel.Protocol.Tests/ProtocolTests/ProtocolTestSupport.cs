using System.Collections;
using System.Reflection;
using Runnel.Protocol;

namespace Runnel.Protocol.Tests.ProtocolTests;

/// <summary>Reflection helpers for the protocol tests: enumerating generated messages and filling them with non-default values.</summary>
internal static class ProtocolTestSupport
{
    /// <summary>Every generated top-level message type (requests, responses, headers, data).</summary>
    public static IReadOnlyList<Type> MessageTypes { get; } = typeof(IKafkaMessage).Assembly.GetTypes()
        .Where(t => t.Namespace == "Runnel.Protocol.Messages" && !t.IsNested && typeof(IKafkaMessage).IsAssignableFrom(t))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    public static short Const(Type messageType, string name) =>
        (short)messageType.GetField(name, BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;

    public static IEnumerable<short> Versions(Type messageType)
    {
        for (short v = Const(messageType, "LowestSupportedVersion"); v <= Const(messageType, "HighestSupportedVersion"); v++)
        {
            yield return v;
        }
    }

    /// <summary>A few interesting versions: lowest, first flexible, highest and the middle.</summary>
    public static IEnumerable<short> SampleVersions(Type messageType)
    {
        short lo = Const(messageType, "LowestSupportedVersion");
        short hi = Const(messageType, "HighestSupportedVersion");
        short flex = Const(messageType, "FlexibleVersionsFrom");
        var set = new SortedSet<short> { lo, hi, (short)((lo + hi) / 2) };
        if (flex >= 0)
        {
            set.Add(flex);
            if (flex > lo)
            {
                set.Add((short)(flex - 1));
            }
        }

        return set;
    }

    public static IKafkaMessage Create(Type messageType) => (IKafkaMessage)Activator.CreateInstance(messageType)!;

    public static byte[] Encode(IKafkaMessage message, short version)
    {
        using var writer = new KafkaWriter(8);
        message.Write(writer, version);
        return writer.WrittenSpan.ToArray();
    }

    public static IKafkaMessage Decode(Type messageType, ReadOnlyMemory<byte> bytes, short version, out int remaining)
    {
        IKafkaMessage message = Create(messageType);
        var reader = new KafkaReader(bytes);
        message.Read(ref reader, version);
        remaining = reader.Remaining;
        return message;
    }

    /// <summary>A message of <paramref name="messageType"/> with every property set to a non-default value, recursively.</summary>
    public static IKafkaMessage Filled(Type messageType, int seed = 1)
    {
        IKafkaMessage message = Create(messageType);
        int counter = seed;
        Fill(message, ref counter, depth: 0);
        return message;
    }

    private static void Fill(object target, ref int counter, int depth)
    {
        foreach (PropertyInfo p in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!p.CanWrite)
            {
                continue;
            }

            p.SetValue(target, MakeValue(p.PropertyType, p.GetValue(target), ref counter, depth));
        }
    }

    private static object MakeValue(Type type, object? current, ref int counter, int depth)
    {
        counter++;
        int n = counter;
        Type? underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            type = underlying;
        }

        if (type == typeof(bool))
        {
            return current is bool b ? !b : true;
        }

        if (type == typeof(sbyte))
        {
            return (sbyte)(((sbyte?)current ?? 0) + 1 + (n % 50));
        }

        if (type == typeof(short))
        {
            return (short)(((short?)current ?? 0) + 1 + (n % 1000));
        }

        if (type == typeof(ushort))
        {
            return (ushort)(((ushort?)current ?? 0) + 1 + (n % 1000));
        }

        if (type == typeof(int))
        {
            int c = (int?)current ?? 0;
            return c == int.MaxValue ? 7 + n : c + 100_000 + n;
        }

        if (type == typeof(long))
        {
            return ((long?)current ?? 0) + 10_000_000_000L + n;
        }

        if (type == typeof(double))
        {
            return ((double?)current ?? 0) + 0.5 + n;
        }

        if (type == typeof(string))
        {
            return "s\u00e9" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (type == typeof(Guid))
        {
            byte[] g = new byte[16];
            for (int i = 0; i < 16; i++)
            {
                g[i] = (byte)(n + (i * 17));
            }

            return new Guid(g, bigEndian: true);
        }

        if (type == typeof(ReadOnlyMemory<byte>))
        {
            byte[] bytes = new byte[1 + (n % 5)];
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)(n + i);
            }

            return new ReadOnlyMemory<byte>(bytes);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            Type element = type.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(type)!;
            int count = depth >= 3 ? 1 : 2;
            for (int i = 0; i < count; i++)
            {
                list.Add(MakeValue(element, element.IsValueType ? Activator.CreateInstance(element) : null, ref counter, depth + 1));
            }

            return list;
        }

        if (typeof(IKafkaMessage).IsAssignableFrom(type))
        {
            object nested = Activator.CreateInstance(type)!;
            Fill(nested, ref counter, depth + 1);
            return nested;
        }

        throw new NotSupportedException("No filler for " + type);
    }
}
