using HueGrains.Api.Endpoints;

namespace HueGrains.Tests.Domain;

public class ChangeCursorTests
{
    [Fact]
    public void After_retention_a_reader_without_a_cursor_starts_at_the_oldest_change_kept_and_only_stale_or_foreign_cursors_expire()
    {
        var page = new ChangePage([], ForgottenThrough: 500, Head: 900);
        Assert.False(ChangesApi.Expired(null, page)); // a new client: from the oldest kept
        Assert.True(ChangesApi.Expired(0, page));
        Assert.True(ChangesApi.Expired(499, page));
        Assert.False(ChangesApi.Expired(500, page));
        Assert.False(ChangesApi.Expired(900, page));
        Assert.True(ChangesApi.Expired(901, page)); // ahead: another deployment, or a restarted embedded platform
    }
}
