using System.Text.Json;
using Runnel.Silo.Tests.Infrastructure;

namespace Runnel.Silo.Tests.Groups;

/// <summary>A group as GET /groups/{id} shows it.</summary>
public sealed record GroupView(string State, int Generation, Dictionary<string, List<int>> AssignmentByClient, Dictionary<int, long> Committed)
{
    public static async Task<GroupView?> GetAsync(SiloProcess silo, string group)
    {
        using var response = await silo.Http.GetAsync(new Uri($"groups/{group}", UriKind.Relative));
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        var assignment = new Dictionary<string, List<int>>();
        foreach (var member in root.GetProperty("members").EnumerateArray())
        {
            var partitions = member.GetProperty("assignment").EnumerateArray()
                .SelectMany(t => t.GetProperty("partitions").EnumerateArray().Select(p => p.GetInt32())).Order().ToList();
            assignment[member.GetProperty("clientId").GetString()!] = partitions;
        }

        var committed = root.GetProperty("offsets").EnumerateArray()
            .ToDictionary(o => o.GetProperty("partition").GetInt32(), o => o.GetProperty("committedOffset").GetInt64());
        return new GroupView(root.GetProperty("state").GetString()!, root.GetProperty("generationId").GetInt32(), assignment, committed);
    }

    /// <summary>Stable, with exactly these clients as members, together assigned all <paramref name="partitions"/> partitions.</summary>
    public bool IsStableWith(IReadOnlyCollection<string> clients, int partitions)
        => State == "Stable"
           && AssignmentByClient.Count == clients.Count
           && clients.All(AssignmentByClient.ContainsKey)
           && AssignmentByClient.Values.SelectMany(p => p).Order().SequenceEqual(Enumerable.Range(0, partitions));

    /// <summary>Polls until <paramref name="condition"/> holds; fails with the last view after <paramref name="timeout"/>.</summary>
    public static async Task<GroupView> WaitForAsync(SiloProcess silo, string group, Func<GroupView, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        GroupView? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await GetAsync(silo, group);
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"Group {group}: {what} not reached within {timeout.TotalSeconds} s. Last view: {JsonSerializer.Serialize(last)}");
        throw new InvalidOperationException();
    }
}
