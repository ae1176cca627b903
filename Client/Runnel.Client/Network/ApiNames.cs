using Runnel.Protocol;

namespace Runnel.Client.Network;

/// <summary>Cached API names for metric tags (Enum.ToString allocates).</summary>
internal static class ApiNames
{
    private static readonly string[] s_names = Build();

    public static string Of(ApiKey key) => (int)key is >= 0 and < 128 ? s_names[(int)key] : "Unknown";

    private static string[] Build()
    {
        var names = new string[128];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = ((ApiKey)i).ToString();
        }

        return names;
    }
}
