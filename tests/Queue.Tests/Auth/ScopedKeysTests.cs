using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Queue.Live;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Auth;

/// <summary>
/// Keys scoped to queues (a team, SPEC §6): how they are made, what they say of themselves, and what the hub pushes
/// them as calls come and go — their queues and their center (the sum of their queues), nothing of another queue.
/// </summary>
public sealed class ScopedKeysTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    async Task<string> KeyAsync(string role, params string[] queues)
    {
        using var admin = app.Client();
        using var response = await admin.PostAsJsonAsync("/api/keys", new { name = "team " + string.Join("+", queues), role, queues });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.JsonAsync();
        Assert.Equal(queues.Distinct().Order(StringComparer.Ordinal), created.GetProperty("queues").EnumerateArray().Select(q => q.GetString()));
        return created.GetProperty("key").GetString()!;
    }

    [Fact]
    public async Task A_scoped_key_is_listed_with_its_queues_and_says_them_in_me()
    {
        var key = await KeyAsync("wallboard", "sk-b2c", "sk-b2b", "sk-b2c");
        using var admin = app.Client();
        var listed = (await admin.GetFromJsonAsync<JsonElement>("/api/keys")).EnumerateArray()
            .Single(k => k.GetProperty("name").GetString() == "team sk-b2c+sk-b2b+sk-b2c");
        Assert.Equal(["sk-b2b", "sk-b2c"], listed.GetProperty("queues").EnumerateArray().Select(q => q.GetString()));

        using var tv = app.Client(key);
        var me = await tv.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.Equal(["sk-b2b", "sk-b2c"], me.GetProperty("queues").EnumerateArray().Select(q => q.GetString()));
        var unscoped = await admin.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.Equal(JsonValueKind.Null, unscoped.GetProperty("queues").ValueKind);
    }

    [Theory]
    [InlineData("""{"name":"x","role":"ingest","queues":["b2c"]}""", "only a wallboard or supervisor key")]
    [InlineData("""{"name":"x","role":"admin","queues":["b2c"]}""", "only a wallboard or supervisor key")]
    [InlineData("""{"name":"x","role":"wallboard","queues":[]}""", "1 to 100 queues")]
    [InlineData("""{"name":"x","role":"wallboard","queues":["b 2c"]}""", "is not a queue name")]
    [InlineData("""{"name":"x","role":"wallboard","queues":[null]}""", "is not a queue name")]
    public async Task A_bad_scope_is_a_400_naming_queues_and_makes_no_key(string body, string says)
    {
        using var admin = app.Client();
        var before = (await admin.GetFromJsonAsync<JsonElement>("/api/keys")).GetArrayLength();
        using var response = await admin.PostAsync("/api/keys", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.Contains(says, errors.GetProperty("queues")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, (await admin.GetFromJsonAsync<JsonElement>("/api/keys")).GetArrayLength());
    }

    [Fact]
    public async Task The_hub_pushes_a_team_its_queues_and_its_center_as_their_sum_and_nothing_of_another_queue()
    {
        var key = await KeyAsync("wallboard", "hub-a", "hub-b");
        await using var team = await LiveClient.ConnectAsync(app.Factory.Server, key);
        var joined = await team.JoinCenterAsync();
        Assert.Equal(0, joined.Center.CallsWaiting);

        using var ingest = app.Client();
        // A call waits in each queue of the team, and two in a queue outside it.
        (await ingest.PostEventsAsync(
            Ev.Queued("hub-q1", Now.AddSeconds(-20), "hub-c1", "hub-a"),
            Ev.Queued("hub-q2", Now.AddSeconds(-10), "hub-c2", "hub-b"),
            Ev.Queued("hub-q3", Now.AddSeconds(-30), "hub-c3", "hub-other"),
            Ev.Queued("hub-q4", Now.AddSeconds(-30), "hub-c4", "hub-other"))).EnsureSuccessStatusCode();

        var center = await team.WaitForAsync(nameof(ILiveClient.CenterUpdated), s => s.CallsWaiting == 2);
        Assert.Null(center.Snapshot.Queue);
        Assert.Equal(Now.AddSeconds(-20), center.Snapshot.OldestWaitingSince);
        await team.WaitForAsync(nameof(ILiveClient.QueueUpdated), s => s.Queue == "hub-b" && s.CallsWaiting == 1);

        // One is answered: the team's center follows, with a higher seq.
        (await ingest.PostEventsAsync(Ev.Answered("hub-a1", Now, "hub-c1", "ag-hub"))).EnsureSuccessStatusCode();
        var after = await team.WaitForAsync(nameof(ILiveClient.CenterUpdated), s => s.CallsWaiting == 1);
        Assert.True(after.Snapshot.Seq > center.Snapshot.Seq, $"seq {after.Snapshot.Seq} after {center.Snapshot.Seq}");

        // An unscoped client sees the whole center meanwhile: all four calls once queued, three waiting now.
        await using (var all = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard")))
            Assert.Equal(3, (await all.JoinCenterAsync()).Center.CallsWaiting);
        await app.LiveCaughtUpAsync();
        Assert.DoesNotContain(team.Drain(nameof(ILiveClient.QueueUpdated)), s => s.Queue == "hub-other");
        Assert.DoesNotContain(team.Drain(nameof(ILiveClient.CenterUpdated)), s => s.CallsWaiting > 2);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => team.JoinQueuesAsync("hub-other"));
        Assert.Contains("no queue 'hub-other'", refused.Message, StringComparison.Ordinal);

        // The drill-down: a queue of the team in full, its agent's queues those the key may see; another queue refused.
        (await ingest.PostEventsAsync(Ev.AgentStatus("hub-s1", Now, "ag-both", "available", "hub-b", "hub-other"))).EnsureSuccessStatusCode();
        var detail = await team.JoinDetailAsync("hub-b");
        await app.LiveCaughtUpAsync();
        var pushed = detail.AgentList.Count == 1 ? detail : await team.WaitForDetailAsync(d => d.AgentList.Count == 1);
        Assert.Equal(["hub-b"], Assert.Single(pushed.AgentList).Queues);
        var other = await Assert.ThrowsAnyAsync<Exception>(() => team.JoinDetailAsync("hub-other"));
        Assert.Contains("no queue 'hub-other'", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_team_s_center_goes_out_under_a_new_number_when_its_sum_changes_and_not_when_only_a_queue_did()
    {
        var key = await KeyAsync("wallboard", "num-a", "num-b");
        await using var team = await LiveClient.ConnectAsync(app.Factory.Server, key);
        await team.JoinCenterAsync();
        using var admin = app.Client();
        (await admin.PostEventsAsync(Ev.Queued("num-q1", Now.AddSeconds(-5), "num-c1", "num-a"))).EnsureSuccessStatusCode();
        var first = (await team.WaitForAsync(nameof(ILiveClient.CenterUpdated), s => s.CallsWaiting == 1)).Snapshot;
        await app.LiveCaughtUpAsync();
        await Task.Delay(600); // any push still on its way
        team.Drain(nameof(ILiveClient.CenterUpdated));

        // A queue's own target changes its snapshot, not the team's sum (a team is judged by the defaults): the queue goes
        // out, the team's center does not.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/targets/num-a", new { waitSeconds = 5 })).StatusCode);
        await team.WaitForAsync(nameof(ILiveClient.QueueUpdated), s => s.Queue == "num-a" && s.Targets.WaitSeconds == 5);
        await Task.Delay(600);
        Assert.Empty(team.Drain(nameof(ILiveClient.CenterUpdated)));

        // The call answered changes the sum: it goes out under a higher number.
        (await admin.PostEventsAsync(Ev.Answered("num-a1", Now, "num-c1", "ag-num"))).EnsureSuccessStatusCode();
        var next = (await team.WaitForAsync(nameof(ILiveClient.CenterUpdated), s => s.CallsWaiting == 0)).Snapshot;
        Assert.True(next.Seq > first.Seq, $"seq {next.Seq} after {first.Seq}");
        Assert.All(team.Drain(nameof(ILiveClient.CenterUpdated)), s => Assert.True(s.Seq > next.Seq || s.CallsWaiting == 0, "one number, one snapshot"));
    }
}
